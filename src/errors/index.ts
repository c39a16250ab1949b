export { ERROR_CODES, isErrorCode, type ErrorCode } from './codes.js';
export { AuditRouterError, toAuditRouterError, type AuditRouterErrorOptions } from './audit-router-error.js';
