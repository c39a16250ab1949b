import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
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
      if (!this.handle) {
        await mkdir(dirname(file), { recursive: true });
        this.handle = await open(file, 'a');
      }
      await this.handle.appendFile(text, 'utf8');
      if (this.config.fsync) await this.handle.sync();
    } catch (err) {
      // Reopen on the next attempt: the file may have been removed, rotated or had its permissions fixed.
      const stale = this.handle;
      this.handle = undefined;
      await stale?.close().catch(() => undefined);
      throw writeError(err, file);
    }
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
