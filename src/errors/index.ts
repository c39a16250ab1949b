export { ERROR_CODES, type ErrorCode } from './codes.js';
export { AuditRouterError, toAuditRouterError, type AuditRouterErrorOptions } from './audit-router-error.js';
