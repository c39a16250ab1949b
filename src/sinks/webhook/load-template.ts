import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { compileTemplate, TemplateError, type CompiledTemplate } from './template.js';

/** zod issue messages cannot carry an error code, so template problems name theirs in the text. */
const PREFIX = 'AR_ERR_CONFIG_TEMPLATE: ';

/** Why a config-named file could not be read, in a few words. */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? 'unreadable';
}

/**
 * The `template` field's transform: reads the file (relative to the working
 * directory) and compiles it, so a template that cannot produce JSON fails
 * config validation rather than every delivery.
 */
export function loadTemplate(path: string, ctx: z.RefinementCtx<string>): CompiledTemplate {
  let source: string;
  try {
    // stat does not open: a FIFO or a device would block the read (and the event loop) until someone writes to it.
    const stat = statSync(resolve(path));
    if (!stat.isFile()) {
      ctx.addIssue({
        code: 'custom',
        message: `${PREFIX}cannot read ${path} (${stat.isDirectory() ? 'is a directory' : 'not a regular file'})`,
      });
      return z.NEVER;
    }
    source = readFileSync(resolve(path), 'utf8');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${PREFIX}cannot read ${path} (${readProblem(err)})` });
    return z.NEVER;
  }
  try {
    return compileTemplate(source, path);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    ctx.addIssue({ code: 'custom', message: `${PREFIX}${path} ${err.message}` });
    return z.NEVER;
  }
}
