import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from './cli.js';
import type { KubeObject } from '../fake-apiserver/index.js';

export interface FixtureSnapshot {
  kubernetesVersion: string;
  context?: string;
  capturedAt?: string;
  items: KubeObject[];
}

export const fixtureDir = join(repoRoot, 'fixtures', 'clusters');

export function fixtureNames(): string[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function fixturePath(name: string): string {
  return join(fixtureDir, `${name}.yaml`);
}

export function readFixture(name: string): FixtureSnapshot {
  return load(readFileSync(fixturePath(name), 'utf8')) as FixtureSnapshot;
}
