import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { readProblem } from './load-template.js';

/** Text that is the PEM itself rather than the path of a file holding it (e.g. from ${ENV} or the API). */
export function isInlinePem(value: string): boolean {
  return value.trimStart().startsWith('-----BEGIN ');
}

/** What a PEM must parse as, so a wrong file fails config validation instead of every handshake. */
const CHECKS = {
  ca: (pem: string) => new X509Certificate(pem),
  cert: (pem: string) => new X509Certificate(pem),
  key: (pem: string) => createPrivateKey(pem),
} as const;

/**
 * A `tls.ca|cert|key` field's transform: the PEM text, read once from the
 * file it names (relative to the working directory) or taken as given, and
 * parsed, so the sink never touches the file system and an unreadable path
 * or a file that is not PEM is reported with the field that names it.
 */
export function loadPem(kind: keyof typeof CHECKS) {
  return (value: string, ctx: z.RefinementCtx<string>): string => {
    let pem = value;
    if (!isInlinePem(value)) {
      try {
        pem = readFileSync(resolve(value), 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${value} (${readProblem(err)})` });
        return z.NEVER;
      }
    }
    try {
      CHECKS[kind](pem);
    } catch {
      // The parser's own message may quote the text, which for a key is the secret.
      const what = kind === 'key' ? 'an unencrypted PEM private key' : 'a PEM certificate';
      ctx.addIssue({ code: 'custom', message: `${isInlinePem(value) ? 'the text given' : value} is not ${what}` });
      return z.NEVER;
    }
    return pem;
  };
}

/** Why `key` cannot be used with `cert`, or undefined when it is the certificate's private key. */
export function keyPairProblem(cert: string, key: string): string | undefined {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key)) ? undefined : 'tls.key is not the private key of tls.cert';
  } catch {
    return 'tls.key is not the private key of tls.cert';
  }
}
