/**
 * One attempt's abort signal: fires when the caller aborts or when the
 * attempt's time is up, whichever comes first, and remembers which. A plain
 * controller and timer rather than AbortSignal.any, whose listeners on a
 * long-lived caller signal are only released by garbage collection.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private reason: 'timeout' | 'aborted' | undefined;
  private readonly onAbort = () => this.abort('aborted');

  constructor(
    private readonly outer: AbortSignal,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    if (outer.aborted) this.abort('aborted');
    else outer.addEventListener('abort', this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.reason === 'timeout';
  }

  get aborted(): boolean {
    return this.reason === 'aborted';
  }

  private abort(reason: 'timeout' | 'aborted'): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort(new Error(reason === 'timeout' ? 'attempt timed out' : 'attempt aborted'));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onAbort);
  }
}
