/**
 * Where to start or stop in a topic, resolved against the broker by
 * resolveOffsets(). The CLI parses it from text; offsets, replay and
 * redrive only read it, so it lives beside the code that resolves it.
 */
export type OffsetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'partitions'; offsets: ReadonlyMap<number, number> }
  | { kind: 'time'; ms: number };

export type OffsetSpecKind = OffsetSpec['kind'];
