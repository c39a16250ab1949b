// Types for verify-signature.mjs, so TypeScript receivers (and this project's tests) can import it.
export declare function verify(
  secret: string,
  rawBody: string | Uint8Array,
  header: string | undefined,
  toleranceSeconds?: number,
): boolean;
