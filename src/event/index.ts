export type { AuditEvent, SourceCoordinates } from './types.js';
export { validateAuditEvent, parseJsonEvent } from './validate.js';
export { withStableId, derivedEventId, canonicalJson } from './canonical.js';
export { auditEventType, auditEventSchema, auditEventSchemaText, logicalTypes } from './schema.js';
export { entityKey } from './entity-key.js';
