export { ERROR_CODES, type ErrorCode } from './codes.js';
export { AuditRouterError, toAuditRouterError } from './audit-router-error.js';
