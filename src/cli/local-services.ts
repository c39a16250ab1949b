import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AuditRouterError } from '../errors/index.js';
import { packageRoot } from '../event/package-root.js';

export type ServiceScript = 'kafka.sh' | 'schema-registry.sh';

/**
 * Where the local services listen: the same variables, with the same defaults,
 * as scripts/kafka.sh and scripts/schema-registry.sh, so `dev` talks to the
 * broker and registry it started and never to whatever else holds 9092.
 */
export function localServices(env: NodeJS.ProcessEnv = process.env): { brokers: string[]; registryUrl: string } {
  const kafka = port(env, 'KAFKA_PORT', 9092);
  const registry = port(env, 'REGISTRY_PORT', 8081);
  return { brokers: [`127.0.0.1:${kafka}`], registryUrl: `http://127.0.0.1:${registry}/apis/ccompat/v7` };
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    throw new AuditRouterError('AR_ERR_USAGE', `${name}: expected a port 1-65535, got "${raw}"`);
  }
  return value;
}

/**
 * Runs one of the project's service scripts to its end; true when it exited 0.
 * Asynchronous on purpose: while a JVM starts (seconds to minutes) the event
 * loop must stay free to take Ctrl-C. The script shares our process group, so
 * a terminal's Ctrl-C reaches it too, and it stops what it had launched.
 */
export function runServiceScript(script: ServiceScript, action: 'start' | 'stop' | 'status'): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(packageRoot(), 'scripts', script), action], { stdio: action === 'status' ? 'ignore' : 'inherit' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
