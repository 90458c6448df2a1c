import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// the real-control-plane tier has its own config and command (npm run test:cluster)
const exclude = [...configDefaults.exclude, 'test/cluster/**'];

/**
 * Test files whose tests run side by side (`describe.concurrent`): each starts several CLIs with fake helm/istioctl
 * and fake clusters at once and keeps both cores of a 2-core machine busy by itself, so these files run one at a
 * time (vitest's default on 2 cores is one worker for every file). The other files run one test at a time, mostly
 * waiting on one CLI process, so two of them run at once; and they share their worker process (isolate: false)
 * instead of paying a fresh fork and module graph each, which was half the CPU time of the unit-test files. They
 * share no state: none mocks a module or changes process-wide settings, and each closes the servers it starts.
 */
function sideBySideFiles(dir = 'test'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === join('test', 'cluster') ? [] : sideBySideFiles(path);
    return e.name.endsWith('.test.ts') && /\.concurrent\b/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}
const sideBySide = sideBySideFiles();

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'side-by-side', include: sideBySide, exclude, maxWorkers: 1, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'one-by-one', isolate: false, include: ['test/**/*.test.ts'], exclude: [...exclude, ...sideBySide], maxWorkers: 2, sequence: { groupOrder: 1 } } },
    ],
  },
});
