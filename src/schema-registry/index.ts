export { registerAuditEventSchema, encodeAvroFrame, isConfluentFrame, CONFLUENT_HEADER_BYTES } from './audit-event-schema.js';
export { fetchSchemaById, type RegistryConnection } from './fetch-schema.js';
