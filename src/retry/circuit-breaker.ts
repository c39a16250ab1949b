export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Counts consecutive failed attempts of one sink. After `failureThreshold`
 * of them the circuit opens: deliveries fail at once (and are dead-lettered)
 * instead of each paying a timeout. After `resetTimeoutMs` one probe is let
 * through (half-open); its success closes the circuit, its failure opens it
 * again for another `resetTimeoutMs`.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = 'closed';

  constructor(
    private readonly failureThreshold: number,
    private readonly resetTimeoutMs: number,
    private readonly onChange: (state: CircuitState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** May an attempt start now? In half-open, only one (the probe) may. */
  tryAcquire(): boolean {
    if (this.failureThreshold === 0 || this.current === 'closed') return true;
    if (this.current === 'open' && this.now() - this.openedAt >= this.resetTimeoutMs) this.transition('half-open');
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  recordFailure(): void {
    this.failures++;
    const probeFailed = this.current === 'half-open' && this.probing;
    this.probing = false;
    if (this.failureThreshold > 0 && (probeFailed || (this.current === 'closed' && this.failures >= this.failureThreshold))) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: CircuitState): void {
    this.current = state;
    this.onChange(state);
  }
}
