import { defineConfig } from 'vitest/config';

// The real-control-plane tier (test/cluster): `npm run test:cluster`, after test/cluster/build.sh.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // one real cluster (etcd + 3 control-plane processes) at a time on a 2-core machine
    fileParallelism: false,
    reporters: ['default'],
  },
});
