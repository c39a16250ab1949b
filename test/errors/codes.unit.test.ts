import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/errors/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

describe('error codes', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = sources(join(root, 'src'))
    .filter((f) => !f.endsWith(join('errors', 'codes.ts')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  for (const name of Object.keys(ERROR_CODES)) {
    it(`${name} is documented in the README and used in src/`, () => {
      assert.ok(readme.includes(`\`${name}\``), `${name} is missing from the README's error table`);
      assert.ok(code.includes(name), `${name} is never raised: remove it or use it`);
    });
  }

  it('every code named in the source is defined', () => {
    const named = new Set(code.match(/AR_ERR_[A-Z_]+/g));
    for (const name of named) assert.ok(Object.hasOwn(ERROR_CODES, name), `${name} is used but not defined`);
  });
});
