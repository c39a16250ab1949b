import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditRouterError } from '../../errors/index.js';
import { generateKeyPair } from '../../evidence/index.js';
import { fail } from '../output.js';

/** Never overwrites: replacing a signing key by accident would orphan every trail it signed. */
function writeNew(file: string, text: string, mode: number, flag: string): void {
  try {
    writeFileSync(file, text, { mode, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new AuditRouterError('AR_ERR_USAGE', `${flag}: ${file} exists; keygen never overwrites a key`);
    throw new AuditRouterError('AR_ERR_INPUT_FILE', `${flag}: cannot write ${file} (${code ?? 'unwritable'})`, { cause: err });
  }
}

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('make an Ed25519 key pair for evidence: the private key signs checkpoints, the public key verifies them')
    .option('--private-key <file>', 'where to write the private key (PEM, mode 600)', 'evidence.key')
    .option('--public-key <file>', 'where to write the public key (PEM)', 'evidence.pub')
    .addHelpText(
      'after',
      `
Give the private key to the router only (evidence.signingKey: \${EVIDENCE_KEY} or the file's path);
give the public key to whoever runs audit-router verify.`,
    )
    .action((opts: { privateKey: string; publicKey: string }) => {
      try {
        // Both checked first, so a refusal leaves no half of a pair behind.
        for (const [flag, file] of [
          ['--private-key', opts.privateKey],
          ['--public-key', opts.publicKey],
        ] as const) {
          if (existsSync(file)) throw new AuditRouterError('AR_ERR_USAGE', `${flag}: ${file} exists; keygen never overwrites a key`);
        }
        const { privatePem, publicPem } = generateKeyPair();
        writeNew(opts.privateKey, privatePem, 0o600, '--private-key');
        writeNew(opts.publicKey, publicPem, 0o644, '--public-key');
        process.stdout.write(`wrote private key ${opts.privateKey} (mode 600) and public key ${opts.publicKey}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
