/**
 * Ports for the services a test starts of its own (a broker to restart, a
 * registry to take down, a `dev` run), derived from this checkout's base ports
 * so two checkouts with different KAFKA_PORT / REGISTRY_PORT run their suites
 * side by side. Each user has its own offset, so test files running in
 * parallel never collide either; a broker takes three ports (PLAINTEXT,
 * controller = +1, SASL = +2), so Kafka offsets step by 100.
 */
const OFFSETS = {
  scriptsTest: 100,
  brokerRestart: 200,
  registryOutage: 100,
  dev: 300,
  kafka39: 500,
} as const;

/** The port this checkout's shared broker listens on: KAFKA_PORT, else the first of KAFKA_BROKERS, else 9092. */
export function baseKafkaPort(): number {
  return basePort('KAFKA_PORT', process.env.KAFKA_BROKERS?.split(',')[0], 9092);
}

/** The port this checkout's shared registry listens on: REGISTRY_PORT, else SCHEMA_REGISTRY_URL's, else 8081. */
export function baseRegistryPort(): number {
  const url = process.env.SCHEMA_REGISTRY_URL;
  return basePort('REGISTRY_PORT', url ? new URL(url).port : undefined, 8081);
}

/** A broker port of this test's own (its controller and SASL listeners take the next two). */
export function ownKafkaPort(user: 'scriptsTest' | 'brokerRestart' | 'dev' | 'kafka39'): number {
  return checked(baseKafkaPort() + OFFSETS[user]);
}

/** A registry port of this test's own. */
export function ownRegistryPort(user: 'registryOutage' | 'dev'): number {
  return checked(baseRegistryPort() + OFFSETS[user]);
}

function basePort(variable: string, fallback: string | undefined, dflt: number): number {
  const raw = process.env[variable] ?? fallback?.split(':').at(-1);
  const port = raw ? Number(raw) : dflt;
  if (!Number.isInteger(port) || port < 1) throw new Error(`${variable}: expected a port number, got ${raw}`);
  return port;
}

function checked(port: number): number {
  if (port + 2 > 65535) throw new Error(`port ${port} derived from the base ports is out of range: lower KAFKA_PORT/REGISTRY_PORT`);
  return port;
}
