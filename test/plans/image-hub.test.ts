import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOperatorFile } from '../../src/cli/operator-file.js';
import type { Inventory } from '../../src/k8s/inventory.js';
import { redactValues, REDACTED } from '../../src/k8s/redact.js';
import { imageSettings, parseHub } from '../../src/plans/image-hub.js';
import { planUpgrade, type PlanRequest } from '../../src/plans/planner/index.js';
import { inventoryOf, PLAN_CASES, requestFor } from '../support/plan-cases.js';

const BEFORE_REMOVAL = new Date('2026-12-03T12:00:00Z');
const AFTER_REMOVAL = new Date('2026-12-09T15:00:01Z');

/** The ambient fixture whose istiod release was installed with `values` (as discovery gives them: redacted). */
async function ambientWith(values: Record<string, unknown>): Promise<Inventory> {
  const inv = structuredClone(await inventoryOf('ambient-helm-1.23'));
  const istiod = inv.helmReleases.find((r) => r.component === 'istiod')!;
  istiod.values = redactValues({ ...istiod.values, ...values });
  return inv;
}

function plan(inv: Inventory, over: Partial<PlanRequest>) {
  const c = PLAN_CASES.find((x) => x.name === 'ambient-1.23-to-1.24')!;
  return planUpgrade(inv, { ...requestFor(c), ...over });
}

const issues = (p: ReturnType<typeof plan>, id: string) => ({ blockers: p.blockers.filter((b) => b.id === id).map((b) => b.message), warnings: p.warnings.filter((w) => w.id === id).map((w) => w.message) });

describe('images from retired registries (issue 8 item 2)', () => {
  it('redaction keeps hub/image strings (registry paths) and still hides everything else', () => {
    const v = redactValues({ global: { hub: 'gcr.io/istio-release', imagePullSecrets: ['pull-secret'] }, pilot: { image: 'gcr.io/istio-release/pilot:1.23.2', env: { TOKEN: 's3cr3t' } }, image: { pullSecret: 'x' } });
    expect(v).toEqual({ global: { hub: 'gcr.io/istio-release', imagePullSecrets: [REDACTED] }, pilot: { image: 'gcr.io/istio-release/pilot:1.23.2', env: { TOKEN: REDACTED } }, image: { pullSecret: REDACTED } });
    expect(imageSettings(v)).toEqual([
      { path: 'global.hub', value: 'gcr.io/istio-release' },
      { path: 'pilot.image', value: 'gcr.io/istio-release/pilot:1.23.2' },
    ]);
  });

  it('(f) a reused hub: gcr.io/istio-release is reported with its value path and docker.io/istio; a warning while the registry still serves the target, a blocker after its removal', async () => {
    const inv = await ambientWith({ global: { hub: 'gcr.io/istio-release' } });
    const before = issues(plan(inv, { now: BEFORE_REMOVAL }), 'retired-image-value');
    expect(before.blockers).toEqual([]);
    expect(before.warnings).toEqual([
      'Helm release istio-system/istiod-1-23-6 sets global.hub: gcr.io/istio-release, a retired Istio registry; set global.hub: docker.io/istio (or plan with --hub docker.io/istio); it is gone after 2026-12-09 15:00 UTC',
    ]);
    const after = plan(inv, { now: AFTER_REMOVAL });
    expect(issues(after, 'retired-image-value').blockers).toEqual([
      'Helm release istio-system/istiod-1-23-6 sets global.hub: gcr.io/istio-release, a retired Istio registry; set global.hub: docker.io/istio (or plan with --hub docker.io/istio): Istio 1.24.6 images cannot come from there',
    ]);
    expect(after.blockers.find((b) => b.id === 'retired-image-value')!.remedy).toEqual(['plan again with --hub docker.io/istio']);
  });

  it('a target never published there (1.31+) is blocked whatever the date; --hub docker.io/istio takes the place of a retired hub', async () => {
    const inv = structuredClone(await inventoryOf('sidecar-revisioned-1.22'));
    const rel = inv.helmReleases.find((r) => r.component === 'istiod')!;
    rel.values = redactValues({ ...rel.values, global: { hub: 'registry.istio.io/release' } });
    const c = PLAN_CASES.find((x) => x.name === 'sidecar-1.22-to-latest')!;
    const p = planUpgrade(inv, { ...requestFor(c), now: BEFORE_REMOVAL });
    expect(p.blockers.filter((b) => b.id === 'retired-image-value').map((b) => b.message)).toEqual([
      expect.stringMatching(/^Helm release istio-system\/istiod-1-22-\d+ sets global\.hub: registry\.istio\.io\/release, a retired Istio registry; set global\.hub: docker\.io\/istio \(or plan with --hub docker\.io\/istio\): Istio 1\.3\d\.\d+ images cannot come from there$/),
    ]);
    const withHub = planUpgrade(inv, { ...requestFor(c), now: BEFORE_REMOVAL, hub: 'docker.io/istio' });
    expect(withHub.blockers.map((b) => b.id)).not.toContain('retired-image-value');
    expect(withHub.warnings.filter((w) => w.id === 'retired-image-value').map((w) => w.message)).toEqual([expect.stringContaining('sets global.hub: registry.istio.io/release (a retired registry); --hub docker.io/istio takes its place')]);
    const retiredHub = planUpgrade(inv, { ...requestFor(c), now: BEFORE_REMOVAL, hub: 'gcr.io/istio-release' });
    expect(retiredHub.blockers.filter((b) => b.id === 'retired-image-hub').map((b) => b.message)).toEqual([
      expect.stringMatching(/^--hub gcr\.io\/istio-release is a retired Istio registry that cannot serve Istio 1\.3\d\.\d+; use --hub docker\.io\/istio or a mirror of it$/),
    ]);
  });

  it('a full image reference bypasses every hub: still a problem with --hub, fixed by its own value', async () => {
    const inv = await ambientWith({ pilot: { image: 'gcr.io/istio-release/pilot:1.23.2' } });
    const p = plan(inv, { now: AFTER_REMOVAL, hub: 'registry.example.com/mirror/istio' });
    expect(issues(p, 'retired-image-value').blockers).toEqual([
      'Helm release istio-system/istiod-1-23-6 sets pilot.image: gcr.io/istio-release/pilot:1.23.2, a retired Istio registry; set pilot.image: docker.io/istio/pilot:1.23.2: Istio 1.24.6 images cannot come from there',
    ]);
    // a hub that is not retired is never reported
    expect(issues(plan(await ambientWith({ global: { hub: 'docker.io/istio' } }), { now: AFTER_REMOVAL }), 'retired-image-value')).toEqual({ blockers: [], warnings: [] });
  });

  it('IstioOperator settings are read from the file with their spec path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iop-hub-'));
    const path = join(dir, 'iop.yaml');
    writeFileSync(path, 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  hub: gcr.io/istio-release\n  values:\n    pilot:\n      image: registry.istio.io/release/pilot:1.22.3\n');
    expect(readOperatorFile(path).imageSettings).toEqual([
      { path: 'spec.hub', value: 'gcr.io/istio-release' },
      { path: 'spec.values.pilot.image', value: 'registry.istio.io/release/pilot:1.22.3' },
    ]);
  });
});

describe('--hub REGISTRY', () => {
  it('takes a registry path, with a port and a trailing slash dropped', () => {
    expect(['docker.io/istio', 'registry.example.com:5000/mirror/istio/', 'localhost:5000', 'ghcr.io/acme/istio-mirror'].map(parseHub)).toEqual([
      'docker.io/istio',
      'registry.example.com:5000/mirror/istio',
      'localhost:5000',
      'ghcr.io/acme/istio-mirror',
    ]);
  });

  it.each([
    ['', /--hub "" is empty/],
    ['https://docker.io/istio', /has a scheme/],
    ['docker.io/istio:1.24.6', /names a tag or digest/],
    ['docker.io/istio@sha256:abc', /names a tag or digest/],
    ['--post-renderer=x', /is not a registry path/],
    ['Docker.io/Istio', /is not a registry path \(host\[:port\]\/path in lowercase\)/],
  ])('%j is refused with one line', (v, msg) => {
    expect(() => parseHub(v)).toThrow(msg);
  });
});
