import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditRouterError } from '../../errors/index.js';
import type { EvidenceTrail, Write } from '../../evidence/index.js';
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
 *
 * With evidence on, every line is chained and checkpoints are signed into
 * the file (src/evidence/); writes then run one at a time, in chain order.
 */
export class LogSink implements Sink {
  readonly name: string;
  private handle: FileHandle | undefined;
  /** The open file ended mid-line (a crash tore its last write): the next write starts a fresh line. */
  private startFreshLine = false;

  constructor(
    private readonly config: LogSinkConfig,
    private readonly evidence?: EvidenceTrail,
  ) {
    this.name = config.name;
    evidence?.startTimer(() => this.checkpoint());
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    const { file, encoding } = this.config;
    const evidence = this.evidence;
    if (evidence && file !== undefined) {
      const events = batch.map((item) => item.json);
      return evidence.exclusive(() => this.writeFile(file, () => evidence.seal(events)));
    }
    let text = '';
    if (encoding === 'json') for (const item of batch) text += item.json + '\n';
    else for (const item of batch) text += formatConsoleLine(item.event) + '\n';
    if (file === undefined) return this.writeStdout(text);
    await this.writeFile(file, () => ({ data: text }));
  }

  /** A timed (or final) checkpoint: signs whatever the last one did not cover. */
  private checkpoint(): Promise<void> {
    const { file } = this.config;
    const evidence = this.evidence;
    if (!evidence || file === undefined) return Promise.resolve();
    return evidence.exclusive(() => this.writeFile(file, () => evidence.seal([], true)));
  }

  /** `render` runs once the file is open, so a chained write continues from what the file holds. */
  private async writeFile(file: string, render: () => Write): Promise<void> {
    try {
      if (this.handle && !(await this.stillAtPath(this.handle, file))) await this.dropHandle();
      if (!this.handle) {
        await mkdir(dirname(file), { recursive: true });
        // a+ rather than a: appends all the same, and lets endsMidLine (and the evidence read-back) read the file.
        this.handle = await open(file, 'a+');
        this.startFreshLine = await endsMidLine(this.handle);
        await this.evidence?.opened(this.handle);
      }
      const write = render();
      if (write.data.length === 0) return;
      if (this.startFreshLine) await this.handle.appendFile('\n');
      this.startFreshLine = false;
      await this.handle.appendFile(write.data);
      if (this.config.fsync) await this.handle.sync();
      write.written?.();
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

  /** With evidence, the trail ends with a checkpoint: a clean stop leaves nothing unsigned. */
  async close(): Promise<void> {
    await this.checkpoint().catch(() => undefined);
    await this.evidence?.close();
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
