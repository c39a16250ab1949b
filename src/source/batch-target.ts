import type { UndecodableMessage } from '../deadletter/dead-letter-writer.js';
import type { BatchControl } from '../kafka/index.js';
import type { PreparedEvent } from './event-pipeline.js';

/**
 * Where the messages of one input batch go: to the sink runners (at least
 * once, AtLeastOnceBatch) or into one transaction (exactly-once,
 * ExactlyOnceBatch). KafkaSource has one batch loop that decodes and routes;
 * the target does the rest.
 */
export interface BatchTarget {
  /** A message that is not an event: it goes to the dead-letter topic. */
  undecodable(message: UndecodableMessage, offset: number): void;
  /** False when the batch must stop with this event not handed on (stale, stopping). */
  event(prepared: PreparedEvent, offset: number, control: BatchControl): boolean | Promise<boolean>;
  /** After the loop, even when it threw (`completed` false); `handedOn` is the last offset handed on. */
  finish(handedOn: number | undefined, completed: boolean): Promise<void>;
}
