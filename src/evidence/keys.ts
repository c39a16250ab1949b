import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuditRouterError } from '../errors/index.js';

const keyError = (field: string, reason: string, cause?: unknown) =>
  new AuditRouterError('AR_ERR_EVIDENCE_KEY', `${field}: ${reason}`, { path: field, cause });

/**
 * The PEM text itself (as `${ENV}` gives it) or the path of a file holding it.
 * Error messages never echo the value: a PEM that failed to parse is the secret.
 */
function pemFrom(value: string, field: string): string {
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw keyError(field, `not PEM text, and not a readable key file (${code})`, err);
  }
}

function ed25519(make: () => KeyObject, field: string, kind: string): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch {
    // The parser's message may quote the input: leave it out.
    throw keyError(field, `not a PEM ${kind} key`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw keyError(field, `an ${key.asymmetricKeyType ?? 'unknown'} key; checkpoints are signed with Ed25519 (audit-router keygen)`);
  return key;
}

/** The private key that signs checkpoints, from PEM text or a file. */
export function loadSigningKey(value: string, field: string): KeyObject {
  const pem = pemFrom(value, field);
  return ed25519(() => createPrivateKey(pem), field, 'private');
}

/** The public key verify checks checkpoints with, from a PEM file. */
export function loadPublicKey(file: string, field: string): KeyObject {
  const pem = pemFrom(file, field);
  // createPublicKey would derive one from a private key: refuse it, verifying must not need the signing key.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw keyError(field, 'a private key; verify needs only the public one (keygen wrote it beside the private key)');
  return ed25519(() => createPublicKey(pem), field, 'public');
}

/** A fresh Ed25519 pair as PEM: PKCS#8 for the private key, SPKI for the public one. */
export function generateKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}
