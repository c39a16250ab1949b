import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of running java processes with an argument containing `text` (a broker's
 * server.properties path, a registry's -Dquarkus.http.port=…): how a test checks
 * what the service scripts left behind, independently of their pid files.
 */
export function javaPids(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (/(^|\/)java$/.test(argv[0] ?? '') && argv.some((a) => a.includes(text))) pids.push(Number(entry));
  }
  return pids;
}
