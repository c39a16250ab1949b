import { existsSync, readFileSync } from 'node:fs';

/** Every event line of a JSON log sink's file (empty when it does not exist yet). */
export function readLogEvents(file: string): { id: string; type: string; action: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

export function idsIn(file: string): string[] {
  return readLogEvents(file).map((e) => e.id);
}
