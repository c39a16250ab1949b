/** The practical limit for consume + produce here: kcat → kcat (librdkafka on both ends) copying the JSON input. */
import { spawnSync } from 'node:child_process';
import { log } from '../options.js';
import { makeRow, type Row } from '../results.js';

export function ensureKcat(): string {
  if (spawnSync('kcat', ['-V']).status !== 0) {
    log("installing Debian's kcat (apt-get)");
    spawnSync('bash', ['-c', 'apt-get update -qq && apt-get install -y -qq kcat'], { stdio: 'inherit' });
  }
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  return r.stdout.split('\n').find((l) => /version/i.test(l))?.trim() ?? 'kcat';
}

/** Copies `events` events from `from` to `to`; bash's `time` gives the pipeline's CPU seconds (both processes). */
export function kcatCopy(brokers: string[], from: string, to: string, events: number, avgBytes: number): Row {
  const b = brokers.join(',');
  const script = `TIMEFORMAT='%R %U %S'; time (kcat -C -b ${b} -t ${from} -o beginning -e -q -f '%s\\n' | kcat -P -b ${b} -t ${to} -z none -X linger.ms=20)`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kcat copy: ${r.stderr}`);
  const [real, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
  const rate = events / real;
  const row = makeRow({ scenario: 'kcat', name: 'kcat copy (consume → produce, JSON)', runner: 'kcat', events, peakRssMb: null }, real, user + sys, avgBytes, rate);
  log(`kcat copy: ${row.eventsPerSecond} events/s (${real.toFixed(1)} s), ${row.cpuSecondsPerMillion} CPU s per million`);
  return row;
}
