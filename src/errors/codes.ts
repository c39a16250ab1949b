/**
 * Every error audit-router reports has one of these codes. The same code is
 * written to the dead-letter topic (header `ar.error.code`), to the logs
 * (`err.code`) and by the CLI (`error AR_ERR_…: message`), so an operator can
 * search for it everywhere. Codes are stable: never rename one, only add.
 *
 * `retriable` says whether trying the same thing again later can succeed
 * (a registry outage) or never will (bad JSON).
 */
export const ERROR_CODES = {
  AR_ERR_CONFIG_FILE: { retriable: false, doc: 'The config file is missing or cannot be read.' },
  AR_ERR_CONFIG_PARSE: { retriable: false, doc: 'The config file is not valid YAML or JSON.' },
  AR_ERR_CONFIG_INVALID: {
    retriable: false,
    doc: 'The config does not match the schema: unknown keys, wrong types, out-of-range numbers, bad URLs, bad noun:verb rules, unset ${ENV} variables. Every problem is listed with its path.',
  },
  AR_ERR_CONFIG_TEMPLATE: {
    retriable: false,
    doc: 'A webhook body template does not compile, or does not render valid JSON for a sample event.',
  },
  AR_ERR_USAGE: { retriable: false, doc: 'A command-line argument is missing or malformed.' },
  AR_ERR_INPUT_FILE: { retriable: false, doc: 'An input file named on the command line is missing or unreadable.' },

  AR_ERR_DECODE_EMPTY: { retriable: false, doc: 'The message has no value (a tombstone or empty record).' },
  AR_ERR_DECODE_TOO_LARGE: { retriable: false, doc: 'The message is larger than source.maxMessageBytes.' },
  AR_ERR_DECODE_JSON: { retriable: false, doc: 'The message is not valid UTF-8 JSON.' },
  AR_ERR_DECODE_SCHEMA: {
    retriable: false,
    doc: 'The event does not match schemas/audit-event.avsc; the message names the field path.',
  },
  AR_ERR_DECODE_AVRO: { retriable: false, doc: 'A Confluent-framed Avro body cannot be decoded with its writer schema.' },
  AR_ERR_DECODE_UNKNOWN_SCHEMA: { retriable: false, doc: 'The Avro frame names a schema id the registry does not know.' },
  AR_ERR_DECODE_FORMAT: {
    retriable: false,
    doc: 'The message is not in the configured source.format (e.g. JSON on an avro-only source).',
  },
  AR_ERR_REGISTRY_UNAVAILABLE: {
    retriable: true,
    doc: 'The schema registry cannot be reached or answered 5xx. Decoding waits and retries; events are not dead-lettered for this.',
  },
  AR_ERR_REGISTRY_REJECTED: {
    retriable: false,
    doc: "The schema registry refused to register schemas/audit-event.avsc under the topic's subject: incompatible with its versions, or its compatibility level is not BACKWARD.",
  },

  AR_ERR_SINK_REJECTED: {
    retriable: false,
    doc: 'The destination refused the delivery (an HTTP 4xx other than 408/429). The events are dead-lettered.',
  },
  AR_ERR_SINK_UNAVAILABLE: {
    retriable: true,
    doc: 'The destination failed in a way worth retrying: HTTP 408/429/5xx, timeout, connection error, broker error.',
  },
  AR_ERR_SINK_EXHAUSTED: {
    retriable: false,
    doc: "The sink's retry budget (retry.maxElapsedMs) ran out. The events are dead-lettered; the last cause is in ar.error.cause.",
  },
  AR_ERR_SINK_CIRCUIT_OPEN: {
    retriable: false,
    doc: "The sink's circuit breaker is open after repeated failures; events are dead-lettered without an attempt until a probe succeeds.",
  },
  AR_ERR_SINK_AUTH: {
    retriable: false,
    doc: "A webhook's OAuth2 token endpoint refused the client credentials (wrong client id or secret, scope or audience not allowed) or answered without a bearer token. The events are dead-lettered.",
  },
  AR_ERR_SINK_TLS: {
    retriable: false,
    doc: 'The TLS handshake with a webhook failed: the server refused the client certificate (tls.cert/tls.key), or its own certificate is not trusted (tls.ca). The events are dead-lettered.',
  },
  AR_ERR_SINK_WRITE: { retriable: true, doc: 'The log sink could not write its file (disk full, permissions). It retries until writable.' },
  AR_ERR_ARCHIVE_ACCESS: {
    retriable: false,
    doc: 'An archive sink was refused by its object store (S3 403: wrong or missing credentials, no permission on the bucket). The events are dead-lettered; the S3 error name is in ar.error.cause.',
  },
  AR_ERR_ARCHIVE_CONFLICT: {
    retriable: true,
    doc: "An archive sink's conditional PUT found its object replaced by another writer (S3 412 or 409): after a rebalance, the partition's new owner. The sink re-reads the bucket and retries; events are never dead-lettered for it.",
  },
  AR_ERR_ARCHIVE_NO_BUCKET: { retriable: false, doc: "An archive sink's bucket does not exist (S3 404). The events are dead-lettered." },
  AR_ERR_ARCHIVE_FOREIGN_OBJECT: {
    retriable: false,
    doc: 'An archive sink found an object at one of its keys that it did not write (no ar-last-offset metadata): another writer shares the key layout. The events are dead-lettered rather than overwrite it.',
  },
  AR_ERR_SINK_CLOSED: {
    retriable: true,
    doc: 'The sink was closed (shutdown) before the delivery finished; the events stay unacknowledged.',
  },

  AR_ERR_EVIDENCE_KEY: {
    retriable: false,
    doc: 'An evidence key cannot be read, is not PEM, or is not Ed25519 (audit-router keygen makes a pair). The message never contains the key.',
  },
  AR_ERR_EVIDENCE_BROKEN: {
    retriable: false,
    doc: 'audit-router verify found the trail altered: a modified, removed, reordered or inserted record, a truncated tail, or a forged or missing checkpoint; in an archive also a removed, swapped or inserted object. The message names the first broken place.',
  },

  AR_ERR_KAFKA_CONNECTION: { retriable: true, doc: 'The Kafka cluster cannot be reached.' },
  AR_ERR_KAFKA_AUTH: { retriable: false, doc: 'Kafka refused the SASL credentials or the TLS handshake.' },
  AR_ERR_KAFKA_GROUP_PROTOCOL: {
    retriable: false,
    doc: 'The consumer group refused the router: its members share no partition assignor (a librdkafka router with cooperative-sticky joining kafkajs routers). Set kafka.assignor: roundrobin while the group mixes engines.',
  },
  AR_ERR_KAFKA: { retriable: true, doc: 'Any other error from the Kafka client.' },
  AR_ERR_GROUP_ACTIVE: {
    retriable: false,
    doc: 'The consumer group has running members, so its offsets cannot be reset; stop every router in the group first.',
  },
  AR_ERR_PUBLISHER_CLOSED: { retriable: false, doc: 'publish() was called on an audit publisher after its close().' },

  AR_ERR_API_UNAUTHORIZED: { retriable: false, doc: 'Admin API: no bearer token, or one that is not valid (401).' },
  AR_ERR_API_FORBIDDEN: { retriable: false, doc: 'Admin API: a read-only token was used for a write (403).' },
  AR_ERR_API_VALIDATION: {
    retriable: false,
    doc: 'Admin API: the request body is invalid; `issues` lists each problem with its field path (400).',
  },
  AR_ERR_API_CONFLICT: { retriable: false, doc: 'Admin API: the name is taken, or admin.api.maxDestinations is reached (409).' },
  AR_ERR_API_UNAVAILABLE: { retriable: true, doc: 'Admin API: destinations are still being loaded from Kafka at start-up (503).' },
  AR_ERR_API_NOT_FOUND: { retriable: false, doc: 'Admin API: no such route or destination (404).' },
  AR_ERR_ADMIN_LISTEN: {
    retriable: false,
    doc: 'The admin listener cannot bind admin.listen: the port is in use, the address is not local, or binding is not permitted.',
  },

  AR_ERR_INTERNAL: { retriable: false, doc: 'A bug in audit-router. Please report it with the log line.' },
} as const satisfies Record<string, { retriable: boolean; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
