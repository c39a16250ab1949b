import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiToken {
  /** Who acts: the actor of the audit events the API emits. */
  name: string;
  token: string;
  readOnly: boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The token an `Authorization: Bearer …` header presents, or undefined.
 * Compares digests in constant time, and always against every token, so
 * neither the time taken nor an early exit tells how close a guess was.
 */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): ApiToken | undefined {
  const presented = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!presented) return undefined;
  const given = digest(presented);
  let match: ApiToken | undefined;
  for (const token of tokens) if (timingSafeEqual(given, digest(token.token)) && !match) match = token;
  return match;
}
