import type { BatchControl } from '../kafka/index.js';
import { sleep } from '../retry/index.js';
import type { Route } from '../route/event-router.js';
import type { SinkRunner } from './runner.js';
import type { SinkEvent } from './types.js';

/**
 * Offers an event to every route's runner (`ack` is called once per route).
 * Synchronous while every sink has room; false when the batch went stale or
 * the consumer stopped while a full sink made it wait: the caller must not
 * count the offset as handed on. `run`, replay and redrive all hand on here,
 * so none of them can be evicted from its group by a slow destination.
 */
export function handOn(
  routes: readonly Route<SinkRunner>[],
  lane: string,
  sinkEvent: SinkEvent,
  ack: () => void,
  control: BatchControl,
  heartbeatIntervalMs: number,
): boolean | Promise<boolean> {
  for (let i = 0; i < routes.length; i++) {
    const full = routes[i]!.target.offer(lane, sinkEvent, ack);
    if (full) return waitThenHandOn(full, routes.slice(i + 1), lane, sinkEvent, ack, control, heartbeatIntervalMs);
  }
  return true;
}

async function waitThenHandOn(
  full: Promise<void>,
  rest: readonly Route<SinkRunner>[],
  lane: string,
  sinkEvent: SinkEvent,
  ack: () => void,
  control: BatchControl,
  heartbeatIntervalMs: number,
): Promise<boolean> {
  return (await waitForRoom(full, control, heartbeatIntervalMs)) && handOn(rest, lane, sinkEvent, ack, control, heartbeatIntervalMs);
}

/**
 * A sink is full: wait for room, heartbeating so the group does not evict
 * us while a slow destination holds us back. False when the batch is stale
 * (rebalance) or the consumer stops.
 */
async function waitForRoom(room: Promise<void>, control: BatchControl, heartbeatIntervalMs: number): Promise<boolean> {
  let freed = false;
  void room.then(() => (freed = true));
  while (!freed) {
    await Promise.race([room, sleep(heartbeatIntervalMs)]);
    if (freed) break;
    if (!control.isRunning() || control.isStale()) return false;
    await control.heartbeat();
  }
  return true;
}
