export {
  createAuditPublisher,
  type AuditPublisher,
  type AuditPublisherOptions,
  type PublishOptions,
  type EventKey,
} from './audit-publisher.js';
