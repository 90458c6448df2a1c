import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaDocuments } from '../../scripts/gen-schemas.js';
import { repoRoot } from '../support/cli.js';

describe('published JSON Schemas', () => {
  it('match the zod models (run npx tsx scripts/gen-schemas.ts after changing a model)', () => {
    for (const [path, text] of Object.entries(schemaDocuments())) expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(text);
  });
});
