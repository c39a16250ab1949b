import { z } from 'zod';
import { BROKER_ADDRESS } from './names.js';

/**
 * The `kafka` block of the config file. It lives with the Kafka clients that
 * read it, so src/kafka/ needs nothing from src/config/ (which imports this to
 * validate the whole file once) and the two cannot import each other.
 */

const portInRange = (value: string) => {
  const port = Number(value.slice(value.lastIndexOf(':') + 1));
  return port >= 1 && port <= 65535;
};
const hostPort = z
  .string()
  // abort: a value that is not host:port needs no second message about its port.
  .regex(BROKER_ADDRESS, { error: 'expected host:port, e.g. 127.0.0.1:9092', abort: true })
  .refine(portInRange, 'port must be 1-65535');
export const kafkaConfigSchema = z.strictObject({
  brokers: z.array(hostPort).min(1),
  clientId: z.string().min(1).default('audit-router'),
  ssl: z
    .union([
      z.boolean(),
      z.strictObject({
        /** Paths to PEM files. */
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
      }),
    ])
    .optional(),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional(),
  connectionTimeoutMs: z.number().int().min(100).max(120_000).default(3_000),
  requestTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  /** The client library; unset: AR_KAFKA_ENGINE, else kafkajs (auto: librdkafka when it loads). See src/kafka/create-engine.ts. */
  engine: z.enum(['auto', 'kafkajs', 'librdkafka']).optional(),
  /**
   * The group's partition assignor on librdkafka (unset: cooperative-sticky,
   * which moves only the partitions that change hands); roundrobin (eager) is
   * what kafkajs speaks, for a group that mixes both engines during a rolling
   * upgrade. kafkajs always uses round-robin.
   */
  assignor: z.enum(['cooperative-sticky', 'roundrobin']).optional(),
});

export type KafkaConfig = z.output<typeof kafkaConfigSchema>;
