/**
 * Issue 9 defect 6, second half: an istioctl install is re-created from the operator's IstioOperator file, so the plan
 * compares the file's meshConfig with the running revision's mesh config (ConfigMap istio / istio-<rev>) and says what
 * the file would change or drop. Discovery keeps leaf digests only; a snapshot keeps those digests, never a value.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOperatorFile } from '../../src/cli/operator-file.js';
import { discover } from '../../src/k8s/discover/index.js';
import type { Inventory } from '../../src/k8s/inventory.js';
import { compareMeshConfig, meshConfigLeaves } from '../../src/k8s/mesh-config.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { buildSnapshot, RecordingSource } from '../../src/k8s/snapshot-writer.js';
import { readSnapshotFile, SnapshotSource } from '../../src/k8s/snapshot.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { fixturePath } from '../support/fixtures.js';
import { requestFor } from '../support/plan-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'iop-mesh-'));
const iop = (meshConfig: string): string => {
  const p = join(dir, `iop-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: default\n${meshConfig ? `  meshConfig:\n${meshConfig}` : ''}`);
  return p;
};

/** The operator fixture as a plain istioctl install whose mesh ConfigMap `istio` holds `mesh` (YAML). */
async function istioctlMesh(mesh: string | null): Promise<{ inv: Inventory; snapshotItems: KubeObject[] }> {
  const snap = await readSnapshotFile(fixturePath('istioctl-operator-1.22'));
  const items = snap.items.map((o) => (o.kind === 'ConfigMap' && o.metadata.name === 'istio' && mesh !== null ? ({ ...o, data: { ...(o as { data?: object }).data, mesh } } as KubeObject) : o));
  const recording = new RecordingSource(new SnapshotSource({ ...snap, items }));
  const inv = await discover(recording, { istioNamespace: 'istio-system' });
  inv.installMethod = 'istioctl';
  for (const r of inv.revisions) r.installMethod = 'istioctl';
  inv.operators.inCluster = { deployments: [], istioOperators: [] };
  const written = buildSnapshot(recording.recorded(), { kubernetesVersion: snap.kubernetesVersion, context: 'x', clusterId: null, now: new Date('2026-01-01T00:00:00Z') });
  return { inv, snapshotItems: written.items };
}

const CUSTOM_MESH = [
  'accessLogFile: /dev/stdout',
  'outboundTrafficPolicy:',
  '  mode: REGISTRY_ONLY',
  'defaultConfig:',
  '  discoveryAddress: istiod.istio-system.svc:15012',
  '  proxyMetadata:',
  '    AUTH_TOKEN: s3cr3t-t0ken',
  'rootNamespace: istio-system',
  'trustDomain: cluster.local',
].join('\n');

const planWith = (inv: Inventory, file: string) =>
  planUpgrade(inv, requestFor({ name: 'iop-mesh', fixture: '', request: { to: '1.23', istioOperatorFile: readOperatorFile(file) }, expect: { blocked: false, hops: 1 } }));
const issues = (p: ReturnType<typeof planUpgrade>) => [...p.blockers, ...p.warnings];

describe('the IstioOperator file against the running mesh config (issue 9 defect 6)', () => {
  it('discovery reads the revision-less mesh ConfigMap as leaf digests, never values', async () => {
    const { inv } = await istioctlMesh(CUSTOM_MESH);
    const rev = inv.revisions.find((r) => r.name === 'default')!;
    expect(Object.keys(rev.meshConfig!).sort()).toEqual(['accessLogFile', 'defaultConfig.discoveryAddress', 'defaultConfig.proxyMetadata.AUTH_TOKEN', 'outboundTrafficPolicy.mode', 'rootNamespace', 'trustDomain']);
    // Values are digests; where a value can be a credential (proxyMetadata, extension providers) only its presence is kept.
    expect(rev.meshConfig!['defaultConfig.proxyMetadata.AUTH_TOKEN']).toBe('present');
    expect(Object.entries(rev.meshConfig!).filter(([k]) => !k.startsWith('defaultConfig.proxyMetadata')).every(([, v]) => /^sha256:[0-9a-f]{64}$/.test(v))).toBe(true);
    expect(JSON.stringify(inv)).not.toContain('s3cr3t-t0ken');
  });

  it('a file that drops and changes settings of the running mesh gets both named; the chart-rendered keys are not reported', async () => {
    const { inv } = await istioctlMesh(CUSTOM_MESH);
    const p = planWith(inv, iop('    accessLogFile: ""\n'));
    const changed = issues(p).find((w) => w.id === 'operator-file-mesh-changed');
    const dropped = issues(p).find((w) => w.id === 'operator-file-mesh-dropped');
    expect(changed?.message).toContain('meshConfig.accessLogFile to another value than revision default runs with (ConfigMap istio-system/istio)');
    expect(dropped?.message).toContain('meshConfig.defaultConfig.proxyMetadata.AUTH_TOKEN, meshConfig.outboundTrafficPolicy.mode');
    expect(dropped?.message).not.toMatch(/rootNamespace|trustDomain|discoveryAddress/);
    expect(JSON.stringify(p)).not.toContain('s3cr3t-t0ken');
  });

  it('the file the mesh was installed with says nothing', async () => {
    const { inv } = await istioctlMesh(CUSTOM_MESH);
    const same = iop(['    accessLogFile: /dev/stdout', '    outboundTrafficPolicy:', '      mode: REGISTRY_ONLY', '    defaultConfig:', '      proxyMetadata:', '        AUTH_TOKEN: s3cr3t-t0ken', ''].join('\n'));
    expect(issues(planWith(inv, same)).map((x) => x.id).filter((id) => id.startsWith('operator-file-mesh'))).toEqual([]);
  });

  it('a snapshot keeps the digests (no value), and a plan from it compares the same way', async () => {
    const { snapshotItems } = await istioctlMesh(CUSTOM_MESH);
    const cm = snapshotItems.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio') as KubeObject & { data: Record<string, string> };
    expect(Object.keys(cm.data)).toEqual(['mesh']);
    expect(cm.data.mesh).not.toContain('s3cr3t-t0ken');
    expect(cm.data.mesh).not.toContain('REGISTRY_ONLY');
    const snap = await readSnapshotFile(fixturePath('istioctl-operator-1.22'));
    const replay = await discover(new SnapshotSource({ ...snap, items: snapshotItems }), { istioNamespace: 'istio-system' });
    const live = (await istioctlMesh(CUSTOM_MESH)).inv;
    expect(replay.revisions.find((r) => r.name === 'default')!.meshConfig).toEqual(live.revisions.find((r) => r.name === 'default')!.meshConfig);
    // …and a snapshot of that snapshot keeps them unchanged (digests are not digested again).
    const again = new RecordingSource(new SnapshotSource({ ...snap, items: snapshotItems }));
    await discover(again, { istioNamespace: 'istio-system' });
    const twice = buildSnapshot(again.recorded(), { kubernetesVersion: snap.kubernetesVersion, context: 'x', clusterId: null, now: new Date('2026-01-01T00:00:00Z') });
    expect((twice.items.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio') as typeof cm).data.mesh).toBe(cm.data.mesh);
  });

  it('a mesh config that could not be read is said to be not compared, not silently passed', async () => {
    const { inv } = await istioctlMesh(null);
    for (const r of inv.revisions) delete r.meshConfig;
    expect(issues(planWith(inv, iop(''))).map((x) => x.id)).toContain('operator-file-mesh-not-compared');
  });

  it('a file leaf above running keys does not keep them; chart keys count only at the chart\'s own value', () => {
    const running = meshConfigLeaves({ defaultConfig: { proxyMetadata: { AUTH_TOKEN: 'x' } }, defaultProviders: { accessLogging: ['otel'], metrics: ['prometheus'] }, enablePrometheusMerge: false, trustDomain: 'cluster.local', rootNamespace: 'istio-system' });
    const d = compareMeshConfig(meshConfigLeaves({ defaultConfig: { proxyMetadata: {} } }), running);
    expect(d.dropped).toEqual(['defaultConfig.proxyMetadata.AUTH_TOKEN', 'defaultProviders.accessLogging', 'enablePrometheusMerge']);
    expect(compareMeshConfig(meshConfigLeaves({ defaultConfig: { proxyMetadata: { AUTH_TOKEN: 'y' } }, defaultProviders: { accessLogging: ['otel'] }, enablePrometheusMerge: false }), running)).toEqual({ changed: [], dropped: [] });
  });

  it('leaf digests: a list is one leaf, an empty map is a leaf', () => {
    const leaves = meshConfigLeaves({ a: { b: [1, 2], c: {} }, d: 'x' });
    expect(Object.keys(leaves).sort()).toEqual(['a.b', 'a.c', 'd']);
  });
});
