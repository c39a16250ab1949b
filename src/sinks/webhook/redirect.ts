/** Hops one attempt follows before giving up on a redirect chain. */
const MAX_REDIRECTS = 5;

/**
 * Where to resend the same request after a 3xx, or why not. Only 307 and
 * 308 keep the method and body (undici's own redirect handling turns a
 * POST answered 301/302 into a bodiless GET, which would look like a
 * delivery), and only within the origin, so configured headers and the
 * verification token never reach a host the config does not name.
 */
export function redirectTarget(
  status: number,
  location: string | string[] | undefined,
  current: string,
  hops: number,
): { url: string } | { refused: string } {
  if (status !== 307 && status !== 308) return { refused: 'only 307 and 308 are followed, they keep the method and body' };
  const value = Array.isArray(location) ? location[0] : location;
  if (!value) return { refused: 'no Location header' };
  let next: URL;
  try {
    next = new URL(value, current);
  } catch {
    return { refused: 'Location is not a URL' };
  }
  if (next.origin !== new URL(current).origin) return { refused: 'redirect to another origin is not followed' };
  if (hops >= MAX_REDIRECTS) return { refused: `more than ${MAX_REDIRECTS} redirects` };
  return { url: next.href };
}
