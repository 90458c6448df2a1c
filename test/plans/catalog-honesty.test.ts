import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterFacts } from '../../src/plans/catalog/index.js';
import { RELEASES } from '../../src/plans/catalog/releases.js';
import { EffectSchema, UpgradePolicySchema } from '../../src/plans/catalog/schema.js';
import { Findings } from '../../src/plans/planner/findings.js';
import { evaluateHopNotes, orderIsPlanned, type HopNotes } from '../../src/plans/planner/notes.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

/** Runs the planner's note evaluation for one hop against hand-written cluster facts. */
function hop(from: string, to: string, facts: ClusterFacts): { f: Findings; notes: HopNotes } {
  const f = new Findings();
  const notes = evaluateHopNotes(1, from, to, facts, f, []);
  return { f, notes };
}
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
const message = (xs: { id: string; message: string }[], id: string) => xs.find((x) => x.id === id)?.message;

const helm: ClusterFacts = { installMethod: 'helm', modes: ['sidecar'], helmValues: {}, env: {}, components: { istiod: '1.23.6' }, resources: [], features: {} };

/** One case per effect kind: the planner acts on it (or checks it) in a way the case can observe. */
const EFFECT_CASES: Record<keyof typeof EffectSchema.shape, () => void> = {
  blocker: () => {
    expect(ids(hop('1.23.6', '1.24.6', { ...helm, installMethod: 'operator' }).f.blockers)).toContain('1.24-operator-removed');
  },
  stepKind: () => {
    const facts = { ...helm, features: { 'auto-registered-workloadentry': true } };
    expect(message(hop('1.29.5', '1.29.9', facts).f.warnings, '1.29.6-we-hbone')).toMatch(/^not automated: Auto-registered WorkloadEntries/);
    expect(hop('1.23.6', '1.24.6', { ...helm, crdsHelmOwned: false }).notes.needsCrdMigration?.id).toBe('1.24-crd-helm-ownership');
  },
  placement: () => {
    const ambient = { ...helm, modes: ['ambient' as const], features: { 'large-ambient-mesh': true } };
    expect(message(hop('1.30.5', '1.31.1', ambient).f.warnings, '1.31-wds-size')).toMatch(/^not automated/);
    expect(hop('1.24.6', '1.25.5', ambient).notes.restartAfterZtunnel?.id).toBe('1.25-ambient-dns');
  },
  order: () => {
    const ambient = { ...helm, modes: ['ambient' as const], helmValues: { cni: { ambient: { dnsCapture: true } } } };
    const h = hop('1.23.6', '1.24.6', ambient);
    expect(h.notes.restartBetweenCniAndZtunnel?.id).toBe('1.24-ambient-dns-order');
    expect(ids(h.f.warnings)).not.toContain('1.24-ambient-dns-order');
    // istiod before ztunnel is how the planner orders a hop: carried out, no warning.
    expect(ids(hop('1.27.9', '1.28.10', ambient).f.warnings)).not.toContain('1.28-ztunnel-nack');
    // Gateway API CRDs between istiod and the traffic switch are not a planned phase yet.
    const tls = { ...helm, resources: [{ kind: 'TLSRoute', group: 'gateway.networking.k8s.io' }], components: { 'gateway-api-crds': '1.4.0' } };
    expect(message(hop('1.29.9', '1.30.5', tls).f.warnings, '1.30-gwapi-crds')).toMatch(/^not automated/);
  },
  setHelmValues: () => {
    const csr = hop('1.23.6', '1.24.6', { ...helm, components: { 'istio-csr': '0.12.0' } });
    expect(csr.notes.chartValues).toEqual([
      expect.objectContaining({ chart: 'istiod', path: 'meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED', value: 'false', noteId: '1.24-istio-csr' }),
    ]);
    // Unified `cni.*` paths reach the standalone cni chart at its top level.
    const reconcile = hop('1.28.10', '1.29.9', { ...helm, modes: ['ambient'], helmValues: { compatibilityVersion: '1.27' } });
    expect(reconcile.notes.chartValues).toContainEqual(expect.objectContaining({ chart: 'cni', path: 'ambient.reconcileIptablesOnStartup', value: false }));
    // Unknown whether it applies: not set, but shown as not automated with the value to set.
    const maybe = hop('1.23.6', '1.24.6', { ...helm, components: {} });
    expect(maybe.notes.chartValues).toEqual([]);
    expect(message(maybe.f.warnings, '1.24-istio-csr')).toMatch(/^not automated \(may apply/);
  },
  forbiddenHelmValues: () => {
    const h = hop('1.23.6', '1.24.6', { ...helm, helmValues: { pilot: { configNamespace: '<redacted>' } } });
    expect(message(h.f.blockers, '1.24-helm-values-removed')).toContain('pilot.configNamespace');
    expect(ids(hop('1.23.6', '1.24.6', helm).f.warnings)).not.toContain('1.24-helm-values-removed');
  },
  renamedHelmValues: () => {
    const h = hop('1.21.6', '1.22.8', { ...helm, helmValues: { istio_cni: { enabled: '<redacted>' } } });
    expect(message(h.f.blockers, '1.22-istio-cni-values')).toContain('move it to pilot.cni');
  },
  removedEnv: () => {
    const h = hop('1.30.5', '1.31.1', { ...helm, env: { PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: 'false' } });
    expect(message(h.f.warnings, '1.31-span-flag-removed')).toContain('no longer read');
  },
  requireComponent: () => {
    const tcp = (v: string) => ({ ...helm, resources: [{ kind: 'TCPRoute', group: 'gateway.networking.k8s.io' }], components: { 'gateway-api-crds': v } });
    expect(message(hop('1.30.5', '1.31.1', tcp('1.5.0')).f.blockers, '1.31-tcproute-min')).toContain('1.5.0 is not ≥ 1.6.0');
    const ok = hop('1.30.5', '1.31.1', tcp('1.6.0')).f;
    expect([...ids(ok.blockers), ...ids(ok.warnings)]).not.toContain('1.31-tcproute-min');
  },
  revertFlags: () => {
    const h = hop('1.30.5', '1.31.1', helm);
    expect(h.f.warnings.find((w) => w.id === '1.31-unhealthy-eps')?.remedy).toEqual(['to keep the previous behaviour: PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS=false']);
  },
  commands: () => {
    const h = hop('1.23.6', '1.24.6', { ...helm, installMethod: 'operator' });
    expect(h.f.blockers.find((b) => b.id === '1.24-operator-removed')?.remedy).toBeUndefined();
    const tracing = hop('1.21.6', '1.22.8', helm);
    expect(tracing.f.warnings.find((w) => w.id === '1.22-tracing-default')?.remedy?.length).toBeGreaterThan(0);
  },
  automatedBy: () => {
    // Carried out through the release's revisionTagTemplates: no warning, but still listed as a plan note.
    expect(ids(hop('1.27.9', '1.28.10', helm).f.warnings)).not.toContain('1.28-revision-tag-templates');
  },
};

describe('the catalog means what it says', () => {
  it('every effect kind of the schema has a case showing the planner acts on it', () => {
    expect(Object.keys(EFFECT_CASES).sort()).toEqual(Object.keys(EffectSchema.shape).sort());
  });

  for (const [kind, check] of Object.entries(EFFECT_CASES)) it(`acts on ${kind}`, check);

  it('a note with an effect the planner cannot carry out is a visible "not automated" warning, never only a note', () => {
    const all: ClusterFacts = {};
    for (const rel of RELEASES) {
      if (rel.minor === '1.18') continue;
      const prev = `1.${Number(rel.minor.split('.')[1]) - 1}.0`;
      const planNotes: { id: string }[] = [];
      const f = new Findings();
      const notes = evaluateHopNotes(1, prev, rel.latestPatch, all, f, planNotes as never);
      const visible = new Set([...ids(f.warnings), ...ids(f.blockers)]);
      const carried = new Set([notes.needsCrdMigration?.id, notes.restartAfterZtunnel?.id, notes.restartBetweenCniAndZtunnel?.id, ...notes.chartValues.map((v) => v.noteId)]);
      for (const n of notes.applicable) {
        const e = n.effect ?? {};
        const acts = e.stepKind ?? e.order ?? e.placement ?? e.setHelmValues ?? e.blocker;
        if (!acts || e.automatedBy || carried.has(n.id) || (e.order && orderIsPlanned(e.order) && !e.order.includes('workload-restart'))) continue;
        expect(visible.has(n.id), `${n.id} (${rel.minor}) asks for an action but is only a note`).toBe(true);
      }
    }
  });

  it('reads every upgrade-policy rule somewhere in the planner or its steps', () => {
    const src = join(import.meta.dirname, '../../src');
    const files = ['plans/planner', 'plans/catalog', 'steps'].flatMap((d) =>
      readdirSync(join(src, d)).filter((f) => f.endsWith('.ts') && f !== 'policy.ts' && f !== 'schema.ts').map((f) => join(src, d, f)),
    );
    const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const unread = Object.keys(UpgradePolicySchema.shape).filter((rule) => !new RegExp(`\\.${rule}\\b`).test(code));
    expect(unread).toEqual([]);
  });
});

describe('target advice', () => {
  it('a target older than a patch with a security fix names the fixed patch', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const plan = planUpgrade(inv, requestFor({ name: 'sec', fixture: '', request: { to: '1.29.8', maxMinorJump: 2 }, expect: { blocked: false, hops: 0 } }));
    const w = plan.warnings.find((x) => x.id === 'target-lacks-security-fix');
    expect(w?.message).toContain('ISTIO-SECURITY-2026-007');
    expect(w?.remedy).toEqual(['istio-upgrade plan --to 1.29.9']);
  });

  it('a supported target older than its minor\'s security patches names them and the newest fixed patch (1.30.4: ISTIO-SECURITY-2026-006)', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const plan = planUpgrade(inv, requestFor({ name: 'sec-1.30', fixture: '', request: { to: '1.30.3' }, expect: { blocked: false, hops: 0 } }));
    const w = plan.warnings.find((x) => x.id === 'target-lacks-security-fix');
    expect(w?.message).toContain('ISTIO-SECURITY-2026-006 (fixed in 1.30.4');
    expect(w?.message).toContain('GHSA-qm8v-g4f9-qhjx');
    expect(w?.remedy).toEqual(['istio-upgrade plan --to 1.30.5']);
    expect(plan.warnings.map((x) => x.id)).not.toContain('target-eol');
  });

  it('an end-of-life target names the nearest supported release', async () => {
    const inv = await inventoryOf('sidecar-revisioned-1.22');
    const plan = planUpgrade(inv, requestFor({ name: 'eol', fixture: '', request: { to: '1.29' }, expect: { blocked: false, hops: 0 } }));
    const newer = RELEASES.find((r) => r.minor === '1.30')!.latestPatch;
    expect(plan.warnings.find((x) => x.id === 'target-eol')?.remedy).toEqual([`istio-upgrade plan --to ${newer}`]);
    expect(plan.warnings.map((x) => x.id)).not.toContain('target-lacks-security-fix');
  });
});
