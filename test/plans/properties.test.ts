import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import semver from 'semver';
import { planUpgrade } from '../../src/plans/planner/index.js';
import type { Plan, PlanCommand, PlanStep } from '../../src/plan/schema.js';
import { STEPS, planSchema } from '../../src/steps/registry.js';
import { getRelease } from '../../src/plans/catalog/index.js';
import { inventorySchema, type Inventory } from '../../src/k8s/inventory.js';
import { UserError } from '../../src/errors.js';
import { FIXED_NOW, requestFor } from '../support/plan-cases.js';
import { webhookService } from '../../src/steps/tag-move.js';

const rollout = { generation: 1, observedGeneration: 1, desired: 1, ready: 1, updated: 1, available: 1, complete: true };
/** The Service a revision's webhooks call: `istiod` for the revision-less control plane (revision `default`). */
const serviceOf = (revision: string) => (revision === 'default' || revision === '' ? 'istiod' : `istiod-${revision}`);
const rev = (name: string, version: string, tags: string[], ambient: boolean, method: 'helm' | 'istioctl') => ({
  name, version, namespace: 'istio-system', deployment: serviceOf(name), image: `docker.io/istio/pilot:${version}`, rollout, health: 'healthy' as const,
  injectorWebhook: name === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${name}`, validatingWebhooks: [], meshConfigMap: name === 'default' ? 'istio' : `istio-${name}`, installMethod: method,
  helmRelease: method === 'helm' ? { release: serviceOf(name), namespace: 'istio-system' } : null,
  profile: ambient ? 'ambient' : null, compatibilityVersion: null, ambient, tags,
});
const release = (name: string, chart: string, component: Inventory['helmReleases'][number]['component'], version: string, values: Record<string, unknown> = {}, ns = 'istio-system') => ({
  name, namespace: ns, chart, chartVersion: version, appVersion: version, status: 'deployed', revision: 3, component, lastDeployed: null,
  secretName: `sh.helm.release.v1.${name}.v3`, lastGoodRevision: 3, history: [{ revision: 3, status: 'deployed' }], values,
});

/** Generates self-consistent meshes: one or two revisions, tags, labelled namespaces, workloads of every kind. */
const inventoryArb = fc
  .record({
    minor: fc.integer({ min: 20, max: 29 }),
    olderToo: fc.boolean(),
    /** The active control plane is revision-less (revision `default`, Service `istiod`), as many Helm installs are. */
    revisionless: fc.boolean(),
    ambient: fc.boolean(),
    method: fc.constantFrom('helm' as const, 'istioctl' as const),
    tagNames: fc.subarray(['default', 'prod', 'stable', 'canary']),
    tagOnOlder: fc.boolean(),
    crdsOwned: fc.boolean(),
    gateway: fc.boolean(),
    namespaces: fc.array(
      fc.record({
        label: fc.constantFrom('injection', 'tag0', 'tag1', 'active', 'older', 'ambient', 'none'),
        workloads: fc.array(fc.record({ kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'), onOlder: fc.boolean(), pods: fc.integer({ min: 1, max: 4 }) }), { maxLength: 3 }),
      }),
      { maxLength: 6 },
    ),
  })
  .map((g): Inventory => {
    const version = getRelease(`1.${g.minor}`)!.latestPatch;
    const active = g.revisionless ? 'default' : version.replace(/\./g, '-');
    const olderVersion = getRelease(`1.${g.minor - 1}`)!.latestPatch;
    const older = olderVersion.replace(/\./g, '-');
    const tags = g.tagNames.filter((t) => !(g.revisionless && t === 'default')).map((t, i) => ({ name: t, revision: g.olderToo && g.tagOnOlder && i === 1 ? older : active, webhook: `istio-revision-tag-${t}`, service: null, namespaces: [] as string[], conflicting: false }));
    const revisions = [rev(active, version, tags.filter((t) => t.revision === active).map((t) => t.name), g.ambient, g.method)];
    if (g.olderToo) revisions.push(rev(older, olderVersion, tags.filter((t) => t.revision === older).map((t) => t.name), g.ambient, g.method));
    const namespaces: Inventory['dataPlane']['namespaces'] = [];
    const workloads: Inventory['dataPlane']['workloads'] = [];
    g.namespaces.forEach((n, i) => {
      const name = `ns${i}`;
      const tag = n.label === 'tag0' ? tags[0] : n.label === 'tag1' ? tags[1] : undefined;
      const revisionLabel = tag ? tag.name : n.label === 'active' ? active : n.label === 'older' && g.olderToo ? older : null;
      const injection = n.label === 'injection' ? 'enabled' : null;
      const dataplaneMode = n.label === 'ambient' && g.ambient ? 'ambient' : null;
      if (!revisionLabel && !injection && !dataplaneMode) return;
      tag?.namespaces.push(name);
      const effective = injection ? (tags.find((t) => t.name === 'default')?.revision ?? null) : tag ? tag.revision : revisionLabel;
      namespaces.push({ name, injection, revisionLabel, dataplaneMode, effectiveRevision: effective });
      n.workloads.forEach((w, j) => {
        const r = dataplaneMode ? null : w.onOlder && g.olderToo ? older : (effective ?? active);
        workloads.push({
          namespace: name, kind: w.kind, name: `w${j}`, revision: r, proxyVersion: r === older ? olderVersion : dataplaneMode ? null : version,
          pods: w.pods, restartable: !['Job', 'Pod'].includes(w.kind), mode: dataplaneMode ? 'ambient' : 'sidecar',
        });
      });
    });
    const proxies = workloads.filter((w) => w.mode === 'sidecar').map((w) => ({ namespace: w.namespace, revision: w.revision!, version: w.proxyVersion, count: w.pods }));
    const helm = g.method === 'helm';
    const helmReleases = helm
      ? [
          release('istio-base', 'base', 'base', version, { defaultRevision: active }),
          ...revisions.map((r) => release(serviceOf(r.name), 'istiod', 'istiod', r.version, r.name === 'default' ? {} : { revision: r.name })),
          ...(g.ambient ? [release('istio-cni', 'cni', 'cni', version, { profile: 'ambient', ambient: { dnsCapture: true } }), release('ztunnel', 'ztunnel', 'ztunnel', version)] : []),
          ...(g.gateway ? [release('istio-ingress', 'gateway', 'gateway', version, {}, 'istio-ingress')] : []),
        ]
      : [];
    const ds = (name: string, release: string) => ({
      name, namespace: 'istio-system', version, revision: active, rollout, health: 'healthy' as const, installMethod: g.method,
      helmRelease: helm ? { release, namespace: 'istio-system' } : null,
    });
    const crd = (n: string) => ({
      name: n, group: n.slice(n.indexOf('.') + 1), servedVersions: ['v1'], storageVersion: 'v1', managedBy: g.crdsOwned ? 'Helm' : null,
      helmRelease: g.crdsOwned ? { release: 'istio-base', namespace: 'istio-system' } : null, legacyChartLabel: !g.crdsOwned, istioctlOwned: false, helmOwned: g.crdsOwned,
    });
    return inventorySchema.parse({
      apiVersion: 'istio-upgrade/v1', kind: 'Inventory', source: { type: 'snapshot', context: 'gen', capturedAt: null },
      cluster: { kubernetesVersion: '1.31.4', clusterId: 'uid-1', nodes: [] }, istioNamespace: 'istio-system',
      installMethod: g.method, mode: g.ambient ? 'ambient' : 'sidecar', revisions, tags,
      defaults: { tagRevision: tags.find((t) => t.name === 'default')?.revision ?? null, validatorRevision: active, baseDefaultRevision: helm ? active : null, consistent: true },
      components: [], helmReleases,
      dataPlane: { namespaces, proxies, workloads },
      ambient: { cni: g.ambient ? { ...ds('istio-cni-node', 'istio-cni'), dnsCapture: true, ambientEnabled: true } : null, ztunnel: g.ambient ? ds('ztunnel', 'ztunnel') : null },
      waypoints: [], gateways: g.gateway && helm ? [{ type: 'helm', name: 'istio-ingress', namespace: 'istio-ingress', helmRelease: { release: 'istio-ingress', namespace: 'istio-ingress' }, revision: null, version, className: null }] : [],
      crds: { istio: ['virtualservices.networking.istio.io', 'peerauthentications.security.istio.io'].map(crd), gatewayApi: { present: false, bundleVersion: null, channel: null, crds: [] } },
      istioCsr: { present: false, name: null, namespace: null, version: null },
      operators: { inCluster: { deployments: [], istioOperators: [] }, sail: { istios: [] } }, findings: [],
    });
  });

const requestArb = fc.record({
  plus: fc.integer({ min: 0, max: 5 }),
  strategy: fc.constantFrom('canary' as const, 'in-place' as const),
  maxMinorJump: fc.constantFrom(1, 2),
  includeCleanup: fc.boolean(),
  compatibilityVersion: fc.constantFrom('auto', 'none'),
});

/**
 * Where each step stands inside its hop: its kind's phase in the step registry. A restart is planned
 * as the companion of the step before it (node agent, relabel, tag move), so it stands where that step does.
 */
function ranks(steps: PlanStep[]): number[] {
  let last = -1;
  return steps.map((s, i) => {
    const companion = s.kind === 'workload-restart' && i > 0 && steps[i - 1]!.hop === s.hop;
    if (!companion) last = STEPS.descriptor(s.kind).phase;
    return last;
  });
}

interface GeneratedRequest {
  plus: number;
  strategy: 'canary' | 'in-place';
  maxMinorJump: number;
  includeCleanup: boolean;
  compatibilityVersion: string;
}

function plans(inv: Inventory, r: GeneratedRequest): Plan | undefined {
  const from = inv.revisions[0]!.version!;
  const minor = Math.min(31, semver.minor(from) + r.plus);
  try {
    return planUpgrade(inv, requestFor({ name: 'prop', fixture: '', request: { to: `1.${minor}`, strategy: r.strategy, maxMinorJump: r.maxMinorJump, includeCleanup: r.includeCleanup, compatibilityVersion: r.compatibilityVersion }, expect: { blocked: false, hops: 0 } }));
  } catch (e) {
    if (e instanceof UserError) return undefined;
    throw e;
  }
}

const RUNS = { numRuns: 300, seed: 20261122 };

describe('planner properties over generated meshes', () => {
  it('every plan validates, ids are unique, and kinds stand in a legal order within and across hops', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p) return;
        expect(planSchema.safeParse(p).success).toBe(true);
        expect(new Set(p.steps.map((s) => s.id)).size).toBe(p.steps.length);
        const rank = ranks(p.steps);
        for (let i = 1; i < p.steps.length; i++) {
          const [a, b] = [p.steps[i - 1]!, p.steps[i]!];
          expect(b.hop >= a.hop).toBe(true);
          if (a.hop === b.hop) expect(rank[i]! >= rank[i - 1]!, `${a.id} before ${b.id}`).toBe(true);
        }
        expect(p.facts['kubernetes/version']).toBe('1.31.4');
        expect(FIXED_NOW.toISOString()).toBe(p.metadata.createdAt);
      }),
      RUNS,
    );
  });

  it('every reversible step has a rollback; irreversible ones are cleanup only and only when asked for', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p) return;
        for (const s of p.steps) {
          if (s.irreversible) {
            expect(s.kind).toBe('old-revision-removal');
            expect(s.rollback).toBeNull();
            // Without --include-cleanup only a revision an earlier hop installed goes, never the one the last hop rolls back to.
            if (!r.includeCleanup) expect(s.hop > 1 && s.hop < p.hops.length, s.id).toBe(true);
          } else expect(s.rollback).not.toBeNull();
        }
      }),
      RUNS,
    );
  });

  it('never removes the new revision or a revision still in use', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.blockers.length) return;
        for (const s of p.steps.filter((x) => x.kind === 'old-revision-removal')) {
          const hop = p.hops.find((h) => h.index === s.hop)!;
          expect(s.id).toBe(`h${hop.index}-old-revision-removal-${hop.fromRevision}`);
          const uninstalls = s.commands.filter((c) => c.argv.includes('uninstall')).map((c) => c.argv.join(' '));
          expect(uninstalls).toHaveLength(1);
          expect(uninstalls[0]).toMatch(new RegExp(`(istiod-${hop.fromRevision}|istiod|--revision ${hop.fromRevision}) `));
          expect(uninstalls[0]).not.toContain(hop.revision);
          // After this hop, nothing may still point at the removed revision.
          const movedTags = p.steps.filter((x) => x.hop === hop.index && x.kind === 'tag-move').map((x) => x.id.replace(`h${hop.index}-tag-move-`, ''));
          if (hop.index === 1) {
            for (const t of inv.tags.filter((t) => t.revision === hop.fromRevision)) expect(movedTags).toContain(t.name);
            const restarted = new Set(
              p.steps.filter((x) => x.hop === 1 && x.kind === 'workload-restart').flatMap((x) => x.commands.flatMap((c) => (c.api?.type === 'rollout-restart' ? c.api.workloads.map((w) => `${w.namespace}/${w.name}`) : []))),
            );
            const helmGateways = new Set(inv.gateways.filter((g) => g.type === 'helm').map((g) => `${g.namespace}/${g.name}`));
            for (const w of inv.dataPlane.workloads.filter((w) => w.revision === hop.fromRevision && w.mode === 'sidecar')) {
              expect(w.restartable && (restarted.has(`${w.namespace}/${w.name}`) || helmGateways.has(`${w.namespace}/${w.name}`))).toBe(true);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('hops never exceed the skew rules or the requested jump, and chain without gaps', () => {
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.upToDate) return;
        const ceiling = r.strategy === 'in-place' || inv.mode === 'ambient' ? 1 : 2;
        for (const h of p.hops) {
          expect(semver.minor(h.to) - semver.minor(h.from)).toBeLessThanOrEqual(Math.min(ceiling, r.maxMinorJump));
          expect(semver.gt(h.to, h.from)).toBe(true);
        }
        p.hops.slice(1).forEach((h, i) => {
          expect(h.from).toBe(p.hops[i]!.to);
          expect(h.fromRevision).toBe(p.hops[i]!.revision);
        });
        expect(p.hops[p.hops.length - 1]!.to).toBe(p.target.version);
      }),
      RUNS,
    );
  });
});

/** `--set revision=X` of a `helm template` of tag objects: the revision whose Service the rendered webhooks call. */
function renderedRevision(argv: string[]): string | undefined {
  const i = argv.findIndex((a, k) => argv[k - 1] === '--set' && a.startsWith('revision='));
  return i < 0 ? undefined : argv[i]!.slice('revision='.length);
}

/**
 * The Services a command points webhooks at. A tag rendered by `helm template` of the revision-tags template calls
 * `istiod-<revision>`, or `istiod` only for `revision=` (empty): `revision=default` renders `istiod-default` (issue 9
 * defect 2). `istioctl tag set --revision default` and the base chart's `defaultRevision=default` mean the
 * revision-less control plane (`istiod`).
 */
function webhookServices(c: PlanCommand): string[] {
  if (c.istioctl?.op === 'tag-set') return [serviceOf(c.istioctl.revision)];
  if (c.helm?.op === 'template') {
    const revision = renderedRevision(c.argv);
    expect(revision, c.argv.join(' ')).toBeDefined();
    return [revision ? `istiod-${revision}` : 'istiod'];
  }
  if (c.helm?.op === 'install' || c.helm?.op === 'upgrade') return c.helm.values.settings.filter((v) => v.key === 'defaultRevision').map((v) => serviceOf(v.value));
  return [];
}

describe('webhooks, compatibility and blocked plans', () => {
  it('no generated webhook points at a Service that will not exist when it is applied', () => {
    let revisionless = 0;
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.blockers.length) return;
        if (inv.revisions.some((x) => x.name === 'default') && p.steps.some((s) => s.kind === 'tag-move')) revisionless++;
        // Services of the revisions as the steps run: the installed ones, plus each one a step installs, minus each one a step removes.
        const live = new Set(inv.revisions.map((x) => serviceOf(x.name)));
        for (const s of p.steps) {
          const hop = p.hops.find((h) => h.index === s.hop)!;
          if (s.kind === 'istiod-install') live.add(serviceOf(hop.revision));
          if (s.kind === 'old-revision-removal') live.delete(serviceOf(hop.fromRevision));
          for (const c of [...s.commands, ...(s.rollback?.commands ?? [])]) {
            for (const service of webhookServices(c)) expect(live.has(service), `${s.id}: ${c.argv.join(' ')} → Service ${service}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
    expect(revisionless).toBeGreaterThan(2);
  });

  it('no blocked plan contains a command, let alone a mutating one', () => {
    let blocked = 0;
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || !p.blockers.length) return;
        blocked++;
        for (const s of p.steps) expect([...s.commands, ...(s.rollback?.commands ?? [])], s.id).toEqual([]);
        for (const s of p.steps) expect(s.why.at(-1)!.text).toMatch(/^Not executable: this plan is blocked/);
        // Follow-ups too: a blocked umbrella plan's "remove the old revision" follow-up was `helm uninstall ambient`.
        for (const u of p.followUps) expect(u.commands, u.id).toEqual([]);
      }),
      RUNS,
    );
    expect(blocked).toBeGreaterThan(0);
  });

  it('every chart a compatibility profile reaches gets the hop\'s compatibilityVersion', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.blockers.length) return;
        const charted = new Set(['istiod-install', 'istiod-upgrade', 'cni-upgrade', 'ztunnel-upgrade', 'gateway-upgrade']);
        for (const s of p.steps.filter((x) => charted.has(x.kind))) {
          const hop = p.hops.find((h) => h.index === s.hop)!;
          const argv = s.commands[0]!.argv;
          if (argv[0] !== 'helm') continue;
          if (hop.compatibilityVersion) {
            expect(argv, s.id).toContain(`compatibilityVersion=${hop.compatibilityVersion}`);
            reached.add(s.kind);
          } else expect(argv.some((a) => /^compatibilityVersion=\d/.test(a)), s.id).toBe(false);
        }
      }),
      RUNS,
    );
    // Not vacuous: istiod, istio-cni, ztunnel and gateway charts were all seen with a compatibilityVersion.
    expect([...reached].sort()).toEqual(expect.arrayContaining(['cni-upgrade', 'gateway-upgrade', 'istiod-install', 'istiod-upgrade', 'ztunnel-upgrade']));
  });
});

describe('follow-ups', () => {
  it('are run by hand, so they carry no placeholder only apply can fill (values, recorded revisions)', () => {
    let seen = 0;
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p) return;
        for (const u of p.followUps)
          for (const argv of u.commands) {
            seen++;
            expect(argv.filter((a) => /<(values-of|revision-before):/.test(a)), `${u.id}: ${argv.join(' ')}`).toEqual([]);
          }
      }),
      RUNS,
    );
    expect(seen).toBeGreaterThan(0);
  });
});

/** The revision istiod-default-validator names once every step ran: the last step that moves it, else the cluster's. */
function validatorAfter(inv: Inventory, p: Plan): string | null {
  let at = inv.defaults.validatorRevision;
  for (const s of p.steps)
    for (const v of s.verify) {
      if (v.type === 'default-validator') at = v.revision;
      // istioctl renders the validator with the default tag.
      if (v.type === 'tag-points-to' && v.tag === 'default' && inv.installMethod === 'istioctl') at = v.revision;
    }
  return at;
}

describe('defaultRevision and the default validator (issue 9 defect 7)', () => {
  it('after every step they name a revision the plan leaves running, whose Service exists or the plan creates; a canary plan takes them to its target', () => {
    let moved = 0;
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.blockers.length || p.upToDate) return;
        const removed = new Set(p.steps.flatMap((s) => s.verify.flatMap((v) => (v.type === 'revision-absent' ? [v.revision] : []))));
        const running = new Set([...inv.revisions.map((x) => x.name), ...p.hops.map((h) => h.revision)].filter((x) => !removed.has(x)));
        const services = new Set([...running].map(webhookService));
        const at = validatorAfter(inv, p);
        expect(at, 'the generated meshes all have a default validator').not.toBeNull();
        expect(running.has(at!), `validator on ${at}, running: ${[...running].join(', ')}`).toBe(true);
        expect(services.has(webhookService(at!))).toBe(true);
        for (const s of p.steps)
          for (const v of s.verify) if (v.type === 'default-validator') expect(v.service, s.id).toBe(webhookService(v.revision));
        if (p.strategy === 'canary') {
          expect(at, p.steps.map((s) => s.id).join(' ')).toBe(p.hops.at(-1)!.revision);
          moved++;
        }
      }),
      RUNS,
    );
    expect(moved).toBeGreaterThan(10);
  });

  it('a multi-hop canary plan keeps no revision it installed except the last hop\'s rollback target, unless something still uses it', () => {
    let removedSome = 0;
    fc.assert(
      fc.property(inventoryArb, requestArb, (inv, r) => {
        const p = plans(inv, r);
        if (!p || p.blockers.length || p.strategy !== 'canary' || p.hops.length < 3) return;
        const removed = new Set(p.steps.flatMap((s) => s.verify.flatMap((v) => (v.type === 'revision-absent' ? [v.revision] : []))));
        const inUse = p.warnings.filter((w) => w.id === 'old-revision-in-use').map((w) => w.message);
        for (const h of p.hops.slice(0, -2)) {
          if (removed.has(h.revision)) continue;
          expect(inUse.some((m) => m.startsWith(`revision ${h.revision} `)), `${h.revision} kept without a reason`).toBe(true);
        }
        expect(removed.has(p.hops.at(-2)!.revision)).toBe(r.includeCleanup);
        if (p.hops.slice(0, -2).some((h) => removed.has(h.revision))) removedSome++;
      }),
      RUNS,
    );
    expect(removedSome).toBeGreaterThan(2);
  });
});

describe('the generator', () => {
  it('reaches the cases the properties are about (so they are not vacuous)', () => {
    const seen = { removal: 0, multiHop: 0, ambientRestart: 0, tagMoves: 0, relabel: 0, inPlace: 0 };
    for (const [inv, r] of fc.sample(fc.tuple(inventoryArb, requestArb), { numRuns: 300, seed: RUNS.seed })) {
      const p = plans(inv, r);
      if (!p) continue;
      if (p.steps.some((s) => s.kind === 'old-revision-removal')) seen.removal++;
      if (p.hops.length > 1) seen.multiHop++;
      if (p.steps.some((s) => s.id.endsWith('-ambient-dns'))) seen.ambientRestart++;
      if (p.steps.some((s) => s.kind === 'tag-move')) seen.tagMoves++;
      if (p.steps.some((s) => s.kind === 'namespace-relabel')) seen.relabel++;
      if (p.steps.some((s) => s.kind === 'istiod-upgrade')) seen.inPlace++;
    }
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(2);
  });
});
