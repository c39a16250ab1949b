/** Library entry: what applications and tools may import from 'audit-router'. */
export { ERROR_CODES, AuditRouterError, type ErrorCode } from './errors/index.js';
export { validateAuditEvent, parseJsonEvent, auditEventType, auditEventSchemaText, type AuditEvent } from './event/index.js';
export { loadConfigFile, validateConfig, ConfigError, type Config } from './config/index.js';
export { RouterApp } from './runtime/router-app.js';
export {
  createAuditPublisher,
  type AuditPublisher,
  type AuditPublisherOptions,
  type PublishOptions,
  type EventKey,
} from './publisher/index.js';
