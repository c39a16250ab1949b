import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordHash, withLink } from '../../src/evidence/chain.js';
import { runCli, type CliResult } from '../helpers/router-process.js';

/** A fresh key pair made by the CLI, as an operator would. */
export async function keygen(dir: string, name = 'evidence'): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(dir, `${name}.key`);
  const publicKey = join(dir, `${name}.pub`);
  const result = await runCli(['keygen', '--private-key', privateKey, '--public-key', publicKey]);
  if (result.code !== 0) throw new Error(`keygen failed: ${result.stderr}`);
  return { privateKey, publicKey };
}

/** The lines of a trail file, without the final newline's empty piece. */
export function trailLines(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function writeLines(file: string, lines: readonly string[]): void {
  writeFileSync(file, lines.map((l) => l + '\n').join(''));
}

export const isCheckpoint = (line: string) => line.startsWith('{"_checkpoint"');
export const isEvent = (line: string) => line.startsWith('{"id"');

const LINK = /,"_chain":\{"seq":\d+,"prev":"[0-9a-f]{64}"\}\}$/;

/**
 * What an attacker without the key can do: rebuild every link from line
 * `from` on, so the hash chain alone looks whole again. Only the signed
 * checkpoints can tell.
 */
export function rechain(lines: readonly string[], from: number): string[] {
  const out = lines.slice(0, from);
  for (let i = from; i < lines.length; i++) {
    const prevLine = out[i - 1]!;
    const seq = (JSON.parse(prevLine) as { _chain: { seq: number } })._chain.seq + 1;
    out.push(withLink(lines[i]!.replace(LINK, '}'), { seq, prev: recordHash(prevLine) }));
  }
  return out;
}

/** A copy of the trail to tamper with, leaving the original for the next case. */
export function copyTrail(file: string, name: string): string {
  const copy = `${file}.${name}`;
  copyFileSync(file, copy);
  return copy;
}

export function verifyCli(file: string, publicKey: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['verify', file, '--public-key', publicKey, ...extra]);
}
