/**
 * Issue 9 defect 3, second half: plugged-in CA certificates. From 1.26 istiod refuses to start when the `cacerts`
 * Secret holds an incomplete bundle (note 1.26-cacerts). Discovery reads the Secret's key names (never values), a
 * snapshot keeps only those, and the plan blocks with the fix when a hop to 1.26+ meets an incomplete bundle.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot, RecordingSource } from '../../src/k8s/snapshot-writer.js';
import { readSnapshotFile, SnapshotSource } from '../../src/k8s/snapshot.js';
import { discover } from '../../src/k8s/discover/index.js';
import type { Inventory } from '../../src/k8s/inventory.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { fixturePath } from '../support/fixtures.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

const PEM = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const cacerts = (keys: string[]): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: 'istio-system' }, type: 'Opaque', data: Object.fromEntries(keys.map((k) => [k, PEM])) }) as KubeObject;

async function inventoryWith(extra: KubeObject[]): Promise<{ inv: Inventory; snapshotItems: KubeObject[] }> {
  const snap = await readSnapshotFile(fixturePath('sidecar-revisioned-1.22'));
  const recording = new RecordingSource(new SnapshotSource({ ...snap, items: [...snap.items, ...extra] }));
  const inv = await discover(recording, { istioNamespace: 'istio-system' });
  const written = buildSnapshot(recording.recorded(), { kubernetesVersion: snap.kubernetesVersion, context: 'x', clusterId: null, now: new Date('2026-01-01T00:00:00Z') });
  return { inv, snapshotItems: written.items };
}

const planTo = (inv: Inventory, to: string) => planUpgrade(inv, requestFor({ name: 'ca', fixture: '', request: { to, maxMinorJump: 2 }, expect: { blocked: false, hops: 0 } }));
const withCa = (inv: Inventory, state: NonNullable<Inventory['pluggedInCa']>['state']): Inventory => ({ ...inv, pluggedInCa: { state, keys: [] } });

describe('plugged-in CA (cacerts) and the 1.26 completeness check (issue 9 defect 3)', () => {
  it('discovery reads the key names; a snapshot keeps the key names and no value', async () => {
    const partial = await inventoryWith([cacerts(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem'])]);
    expect(partial.inv.pluggedInCa).toEqual({ state: 'incomplete', keys: ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem'] });
    // status says so too: before 1.26 istiod silently signs with its own CA instead.
    expect(partial.inv.findings.find((f) => f.id === 'cacerts-incomplete')?.message).toContain('ca-cert.pem, ca-key.pem, root-cert.pem, neither whole bundle');
    const kept = partial.snapshotItems.find((o) => o.kind === 'Secret' && o.metadata.name === 'cacerts') as KubeObject & { data: Record<string, string> };
    expect(kept.data).toEqual({ 'ca-cert.pem': '', 'ca-key.pem': '', 'root-cert.pem': '' });
    expect((await inventoryWith([cacerts(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'])])).inv.pluggedInCa?.state).toBe('complete');
    expect((await inventoryWith([cacerts(['tls.crt', 'tls.key', 'ca.crt'])])).inv.pluggedInCa?.state).toBe('complete');
    expect((await inventoryWith([])).inv.pluggedInCa?.state).toBe('absent');
  });

  it('an incomplete bundle blocks a hop to 1.26 with the fix; complete or absent says nothing; unreadable asks the operator', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const incomplete = planTo(withCa(inv, 'incomplete'), '1.26');
    const b = incomplete.blockers.find((x) => x.id === '1.26-cacerts');
    expect(b?.message).toContain('incomplete');
    expect(b?.remedy?.join('\n')).toContain('kubectl create secret generic cacerts');
    for (const state of ['complete', 'absent'] as const) {
      const p = planTo(withCa(inv, state), '1.26');
      expect([...p.blockers, ...p.warnings].map((x) => x.id), state).not.toContain('1.26-cacerts');
    }
    const unknown = planTo(withCa(inv, 'unknown'), '1.26');
    expect(unknown.blockers.map((x) => x.id)).not.toContain('1.26-cacerts');
    expect(unknown.warnings.find((w) => w.id === '1.26-cacerts')?.message).toMatch(/^not automated \(may apply: the cluster does not tell\): check before applying/);
    // A hop that stays below 1.26 is not concerned.
    expect(planTo(withCa(inv, 'incomplete'), '1.24').blockers.map((x) => x.id)).not.toContain('1.26-cacerts');
  });
});
