import { expect } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

const goldenDir = join(repoRoot, 'fixtures', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

/** Compares with fixtures/golden/<file>; UPDATE_GOLDEN=1 (or a missing file outside CI) writes it instead. */
export function golden(file: string, actual: string, testFile: string): void {
  const path = join(goldenDir, file);
  if (update || !existsSync(path)) {
    if (!update && process.env.CI) throw new Error(`golden file ${file} is missing; run UPDATE_GOLDEN=1 npx vitest run ${testFile}`);
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
