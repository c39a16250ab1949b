import type { AuditEvent } from '../../event/index.js';

/**
 * What a template is rendered with at config load: if this does not come out
 * as JSON, no real event will. Shaped like the reference docs' example, with
 * every field set so templates that use any of them are exercised.
 */
export const SAMPLE_EVENT: AuditEvent = {
  id: '8f2c0b4e-5d1a-4c7e-9b3f-2a6d1e0c7b59',
  version: '0.2',
  type: 'flag',
  action: 'created',
  status: 'success',
  metadata: { actor: { authentication: 'token', ip: '172.17.0.1', email: 'ops@example.com', name: 'Ops "on call"' } },
  payload: { description: 'flipt flag\r\nsecond line', enabled: true, key: 'flipt', name: 'flipt', namespace_key: 'default' },
  timestamp: '1970-01-01T00:00:00Z',
};
