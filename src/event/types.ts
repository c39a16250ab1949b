/** The canonical audit event: the JSON shape of Flipt's reference docs (plus `id`). */
export interface AuditEvent {
  id: string | null;
  version: string;
  /** The noun: flag, segment, token, ... */
  type: string;
  /** The verb: created, updated, deleted, ... */
  action: string;
  status: string;
  metadata: { actor: Record<string, string> };
  payload: unknown;
  timestamp: string;
}

/** Where an event was read from: the coordinates the dead-letter headers and derived ids use. */
export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: string;
}
