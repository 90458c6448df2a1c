/**
 * End to end (issue 8): plans that run the same on any machine. Each test runs the built CLI against its own fake
 * cluster with the fake helm/istioctl.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { startCluster } from './harness.js';

/** The plan without what must differ between two runs of `plan`: its id, timestamp and the digest that covers them. */
function comparable(plan: Plan): unknown {
  const { id: _id, createdAt: _createdAt, ...metadata } = plan.metadata;
  const { integrity: _integrity, ...rest } = plan;
  return { ...rest, metadata };
}

describe.concurrent('e2e: artifact sources, tool versions, prerequisites', () => {
  test('(g) planning twice on the same state gives identical steps, ids, argv and findings', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const first = await c.plan();
    const firstText = readFileSync(c.planPath, 'utf8');
    const second = await c.plan();
    expect(second.metadata.id).not.toBe(first.metadata.id);
    expect(comparable(second)).toEqual(comparable(first));
    // byte for byte once the id, timestamp and digest are taken out
    const strip = (t: string) =>
      t.replaceAll(first.metadata.id, 'ID').replaceAll(second.metadata.id, 'ID').replace(/"createdAt": "[^"]+"/, '').replace(/"sha256:[0-9a-f]{64}"/g, '"DIGEST"');
    expect(strip(readFileSync(c.planPath, 'utf8'))).toBe(strip(firstText));
  });
});
