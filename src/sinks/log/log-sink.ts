import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditRouterError } from '../../errors/index.js';
import type { Sink, SinkEvent } from '../types.js';
import type { LogSinkConfig } from './config.js';
import { formatConsoleLine } from './console-format.js';

function writeError(err: unknown, target: string): AuditRouterError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return new AuditRouterError('AR_ERR_SINK_WRITE', `cannot write ${target}: ${code}`, { cause: err });
}

/**
 * Appends events to a file or stdout. It writes with plain fs rather than a
 * pino transport on purpose: an event may only be acknowledged once its
 * bytes reached the OS, and only a direct write tells us that (and tells us
 * when the disk is full or the file became unwritable).
 */
export class LogSink implements Sink {
  readonly name: string;
  private handle: FileHandle | undefined;

  constructor(private readonly config: LogSinkConfig) {
    this.name = config.name;
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    let text = '';
    if (this.config.encoding === 'json') for (const item of batch) text += item.json + '\n';
    else for (const item of batch) text += formatConsoleLine(item.event) + '\n';
    if (this.config.file === undefined) return this.writeStdout(text);
    await this.writeFile(this.config.file, text);
  }

  private async writeFile(file: string, text: string): Promise<void> {
    try {
      if (this.handle && !(await this.stillAtPath(this.handle, file))) await this.dropHandle();
      if (!this.handle) {
        await mkdir(dirname(file), { recursive: true });
        // a+ rather than a: appends all the same, and lets endsMidLine read the last byte.
        this.handle = await open(file, 'a+');
        if (await endsMidLine(this.handle)) text = '\n' + text;
      }
      await this.handle.appendFile(text, 'utf8');
      if (this.config.fsync) await this.handle.sync();
    } catch (err) {
      // Reopen on the next attempt: the file may have been removed, rotated or had its permissions fixed.
      await this.dropHandle();
      throw writeError(err, file);
    }
  }

  /**
   * Whether the open handle is still the file the path names. A rotation
   * (rename, then a new file), or an operator swapping the path, leaves the
   * handle on the old inode, where appends would succeed unseen; two stats
   * per batch is the price of writing where the operator looks.
   */
  private async stillAtPath(handle: FileHandle, file: string): Promise<boolean> {
    const [open, named] = await Promise.all([handle.stat(), stat(file).catch(() => undefined)]);
    return named !== undefined && named.ino === open.ino && named.dev === open.dev;
  }

  private async dropHandle(): Promise<void> {
    const stale = this.handle;
    this.handle = undefined;
    await stale?.close().catch(() => undefined);
  }

  private writeStdout(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(text, (err) => (err ? reject(writeError(err, 'stdout')) : resolve()));
    });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/**
 * True when a regular file does not end with a newline: a process killed in
 * the middle of a large write left a torn line, and the next event must not
 * be glued to it (a reader would lose both).
 */
async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const info = await handle.stat();
  if (!info.isFile() || info.size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, info.size - 1);
  return last[0] !== 0x0a;
}
