import { test as base } from 'vitest';
import { harness, type Harness } from './mesh.js';

/** vitest fixtures: a fresh fake API server + kubeconfig + log/faults files per test (created only when used). */
export const test = base.extend<{ ambient: Harness; sidecar: Harness; empty: Harness }>({
  // eslint-disable-next-line no-empty-pattern
  ambient: async ({}, use) => {
    const h = await harness('ambient');
    await use(h);
    await h.close();
  },
  // eslint-disable-next-line no-empty-pattern
  sidecar: async ({}, use) => {
    const h = await harness('sidecar');
    await use(h);
    await h.close();
  },
  // eslint-disable-next-line no-empty-pattern
  empty: async ({}, use) => {
    const h = await harness('empty');
    await use(h);
    await h.close();
  },
});
