/** Whether the real-cluster tier can run here; the reason is printed when it cannot (skipped, never counted as passed). */
import { afterAll, beforeAll } from 'vitest';
import { notRunReason } from './harness/bins.js';
import { RealCluster, type RealClusterOptions } from './harness/cluster.js';

const said = new Set<string>();

/** The reason tests with Helm `helm` cannot run here, or undefined. */
export function notRun(helm: 3 | 4): string | undefined {
  const why = notRunReason(helm);
  if (why && !said.has(why)) {
    said.add(why);
    console.warn(`real-cluster tier not run: ${why}`);
  }
  return why;
}

/**
 * One real cluster for the tests of the enclosing describe (they run in order and share it): started and set up
 * before the first, closed after the last. Returns its getter.
 */
export function sharedCluster(o: RealClusterOptions, setup: (c: RealCluster) => Promise<void>): () => RealCluster {
  let c: RealCluster | undefined;
  beforeAll(async () => {
    c = await RealCluster.start(o);
    const t = Date.now();
    await setup(c);
    console.log(`helm ${o.helm}: control plane ready in ${c.cp.startupMs} ms, set-up in ${Date.now() - t} ms`);
  });
  afterAll(async () => {
    await c?.close();
  });
  return () => {
    if (!c) throw new Error('the cluster did not start');
    return c;
  };
}
