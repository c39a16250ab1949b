import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditRouterError } from '../../src/errors/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { logSinkConfigSchema } from '../../src/sinks/log/config.js';
import { SinkRunner, type FailedDelivery } from '../../src/sinks/runner.js';
import type { Sink, SinkEvent } from '../../src/sinks/types.js';
import { makeEvent } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

/** A sink whose answers the test scripts; it records every batch it was sent. */
class ScriptedSink implements Sink {
  readonly name = 'scripted';
  readonly batches: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly answer: (attempt: number, batch: readonly SinkEvent[]) => Promise<void> | void = () => undefined) {}
  async send(batch: readonly SinkEvent[]): Promise<void> {
    this.batches.push(batch.map((e) => e.event.id!));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.answer(this.batches.length, batch);
    } finally {
      this.inFlight--;
    }
  }
  async close(): Promise<void> {}
}

function policy(overrides: Record<string, unknown> = {}) {
  return logSinkConfigSchema.parse({
    type: 'log',
    name: 'scripted',
    batch: { maxEvents: 3, maxWaitMs: 5 },
    retry: { initialBackoffMs: 1, maxBackoffMs: 5, maxElapsedMs: 2_000 },
    circuitBreaker: { failureThreshold: 0 },
    ...overrides,
  });
}

function sinkEvent(id: string, partition = 0): SinkEvent {
  const event = makeEvent({ id });
  return { event, json: JSON.stringify(event), key: null, source: { topic: 't', partition, offset: id } };
}

function setup(sink: Sink, overrides: Record<string, unknown> = {}) {
  const parked: FailedDelivery[] = [];
  const runner = new SinkRunner(sink, policy(overrides), async (f) => void parked.push(f), new Metrics(), silentLogger());
  const acked: string[] = [];
  const offer = (id: string, lane = '0') => runner.offer(lane, sinkEvent(id), () => acked.push(id));
  return { runner, parked, acked, offer };
}

describe('sink runner', () => {
  it('batches by maxEvents and keeps each lane in order with one batch in flight per lane', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sink = new ScriptedSink(() => gate);
    const { runner, acked, offer } = setup(sink, { concurrency: 4 });
    for (let i = 0; i < 7; i++) offer(`a${i}`, 'A');
    offer('b0', 'B');
    await waitFor(() => sink.batches.length === 2);
    assert.deepEqual(sink.batches, [['a0', 'a1', 'a2'], ['b0']], 'lane A waits for its first batch; lane B proceeds');
    release();
    assert.ok(await runner.drain(2_000));
    assert.deepEqual(
      sink.batches.filter((b) => b[0]!.startsWith('a')),
      [['a0', 'a1', 'a2'], ['a3', 'a4', 'a5'], ['a6']],
    );
    assert.equal(sink.maxInFlight, 2, 'one batch per lane in flight, though concurrency allows 4');
    assert.equal(acked.length, 8);
  });

  it("retries a lane's batch before it sends the next batch of that lane", async () => {
    const sink = new ScriptedSink((attempt) => {
      if (attempt <= 2) throw new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', 'HTTP 503', { status: 503 });
    });
    const { runner, acked, offer } = setup(sink, { concurrency: 4 });
    for (let i = 0; i < 6; i++) offer(`a${i}`, 'A');
    assert.ok(await runner.drain(2_000));
    assert.deepEqual(sink.batches, [
      ['a0', 'a1', 'a2'],
      ['a0', 'a1', 'a2'],
      ['a0', 'a1', 'a2'],
      ['a3', 'a4', 'a5'],
    ]);
    assert.deepEqual(acked, ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('serves lanes in turn, so a busy partition cannot starve the others', async () => {
    const sink = new ScriptedSink();
    const { runner, offer } = setup(sink, { concurrency: 1, batch: { maxEvents: 1, maxWaitMs: 0 } });
    for (let i = 0; i < 4; i++) {
      offer(`a${i}`, 'A');
      offer(`b${i}`, 'B');
    }
    assert.ok(await runner.drain(2_000));
    assert.deepEqual(
      sink.batches
        .flat()
        .slice(0, 4)
        .map((id) => id[0])
        .sort(),
      ['a', 'a', 'b', 'b'],
      `order served: ${sink.batches.flat().join(' ')}`,
    );
  });

  it('retries a retriable failure with the same batch, then acknowledges', async () => {
    const sink = new ScriptedSink((attempt) => {
      if (attempt <= 3) throw new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', 'HTTP 500', { status: 500 });
    });
    const { runner, acked, parked, offer } = setup(sink);
    offer('e1');
    offer('e2');
    assert.ok(await runner.drain(2_000));
    assert.equal(sink.batches.length, 4);
    assert.ok(sink.batches.every((b) => b.join() === 'e1,e2'));
    assert.deepEqual(acked, ['e1', 'e2']);
    assert.equal(parked.length, 0);
  });

  it('dead-letters a non-retriable failure at once, then acknowledges', async () => {
    const sink = new ScriptedSink(() => {
      throw new AuditRouterError('AR_ERR_SINK_REJECTED', 'HTTP 400', { status: 400 });
    });
    const { runner, acked, parked, offer } = setup(sink);
    offer('e1');
    assert.ok(await runner.drain(2_000));
    assert.equal(sink.batches.length, 1);
    assert.equal(parked[0]!.error.code, 'AR_ERR_SINK_REJECTED');
    assert.equal(parked[0]!.attempts, 1);
    assert.deepEqual(acked, ['e1']);
  });

  it('gives up when the retry budget is spent (AR_ERR_SINK_EXHAUSTED, cause kept)', async () => {
    const sink = new ScriptedSink(() => {
      throw new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', 'timeout');
    });
    const { runner, parked, offer } = setup(sink, { retry: { initialBackoffMs: 20, maxBackoffMs: 20, maxElapsedMs: 100 } });
    offer('e1');
    assert.ok(await runner.drain(5_000));
    assert.equal(parked[0]!.error.code, 'AR_ERR_SINK_EXHAUSTED');
    assert.ok(parked[0]!.attempts >= 2);
    assert.equal((parked[0]!.error.cause as AuditRouterError).code, 'AR_ERR_SINK_UNAVAILABLE');
  });

  it('fails fast while the circuit is open, and a probe closes it', async () => {
    let healthy = false;
    const sink = new ScriptedSink(() => {
      if (!healthy) throw new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', 'down');
    });
    const { runner, parked, offer } = setup(sink, {
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 200 },
      batch: { maxEvents: 1, maxWaitMs: 0 },
      retry: { initialBackoffMs: 1, maxBackoffMs: 1, maxElapsedMs: 60_000 },
    });
    offer('e1');
    await waitFor(() => runner.circuitState === 'open');
    await waitFor(() => parked.length === 1);
    assert.equal(parked[0]!.error.code, 'AR_ERR_SINK_CIRCUIT_OPEN', 'the batch waiting to retry is parked when the circuit opens');
    const attemptsWhenOpened = sink.batches.length;
    offer('e2', '1');
    await waitFor(() => parked.length === 2);
    assert.equal(parked[1]!.error.code, 'AR_ERR_SINK_CIRCUIT_OPEN');
    assert.equal(sink.batches.length, attemptsWhenOpened, 'no attempt while open');
    healthy = true;
    // Until resetTimeoutMs has passed, offers are parked at once; after it, the first one is the probe that closes the circuit.
    let probes = 0;
    await waitFor(
      async () => {
        offer(`probe-${probes++}`, 'probe');
        await runner.drain(1_000);
        return runner.circuitState === 'closed';
      },
      { timeoutMs: 5_000, what: 'a probe to close the circuit' },
    );
    assert.deepEqual(sink.batches.at(-1), [`probe-${probes - 1}`], 'the probe that closed it was delivered');
  });

  it('applies backpressure at maxBufferedEvents and leaves events unacknowledged on close', async () => {
    const sink = new ScriptedSink(() => new Promise(() => undefined));
    const { runner, acked, offer } = setup(sink, { maxBufferedEvents: 2, batch: { maxEvents: 1, maxWaitMs: 0 } });
    assert.equal(offer('e1'), undefined);
    const full = offer('e2');
    assert.ok(full instanceof Promise);
    await runner.close();
    assert.deepEqual(acked, []);
  });
});
