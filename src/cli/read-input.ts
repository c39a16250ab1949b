import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { AuditRouterError } from '../errors/index.js';

/** A file's contents, or stdin's when the name is '-' or absent. */
export async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') return text(process.stdin);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AuditRouterError('AR_ERR_INPUT_FILE', `${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
}
