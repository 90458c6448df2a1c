import type { Inventory } from '../../k8s/inventory.js';
import type { Plan, PlanStep } from '../../plan/schema.js';
import { explanationOf } from '../../plans/catalog/index.js';
import { commandLines } from '../command-line/text.js';

/**
 * The change ticket a change advisory board reads: the plan restated as risk, duration, who is affected, how to
 * back out and how to validate, with every catalog note explained in plain language. Built from the plan and the
 * inventory alone; rendered as Markdown (`plan -o markdown`) and JSON (`plan -o ticket-json`) from this one model.
 */
export interface ChangeTicket {
  apiVersion: 'istio-upgrade/v1';
  kind: 'ChangeTicket';
  plan: { id: string; createdAt: string; toolVersion: string; context: string | null; clusterId: string | null; inputs: string };
  change: {
    from: { version: string; revision: string; mode: string; installMethod: string; kubernetesVersion: string };
    to: { version: string; revision: string; strategy: string };
    hops: string[];
    status: 'nothing to do' | 'blocked' | 'ready';
    steps: number;
  };
  risk: { rating: 'low' | 'medium' | 'high'; reasons: string[] };
  duration: { estimatedMinutes: number; maintenanceWindowMinutes: number; basis: string; steps: { id: string; title: string; minutes: number; basis: string }[] };
  affected: { namespace: string; workloads: { kind: string; name: string; pods: number }[]; disruption: string[] }[];
  backOut: {
    pointOfNoReturn: { stepId: string; title: string; explanation: string } | null;
    howTo: string;
    steps: { stepId: string; title: string; commands: string[] | null }[];
  };
  validation: { check: string; command?: string }[];
  blockers: { id: string; message: string; remedy: string[]; source: string | null }[];
  risks: { id: string; explanation: string; explained: boolean; applies: 'yes' | 'maybe'; source: string | null; links: string[] }[];
  followUps: { title: string; commands: string[] }[];
  approvals: { role: string; name: null; decision: null; date: null }[];
}

type Rating = ChangeTicket['risk']['rating'];
const RANK: Record<Rating, number> = { low: 0, medium: 1, high: 2 };

export function buildChangeTicket(plan: Plan, inv: Inventory): ChangeTicket {
  const s = plan.source;
  return {
    apiVersion: 'istio-upgrade/v1',
    kind: 'ChangeTicket',
    plan: { ...plan.metadata, context: plan.metadata.context ?? null, clusterId: plan.metadata.clusterId ?? null },
    change: {
      from: { version: s.version, revision: s.revision, mode: s.mode, installMethod: s.installMethod, kubernetesVersion: s.kubernetesVersion },
      to: { version: plan.target.version, revision: plan.target.revision, strategy: plan.strategy },
      hops: plan.hops.map((h) => `${h.from} → ${h.to}${h.compatibilityVersion ? ` (compatibilityVersion ${h.compatibilityVersion})` : ''}`),
      status: plan.upToDate ? 'nothing to do' : plan.blockers.length ? 'blocked' : 'ready',
      steps: plan.steps.length,
    },
    risk: riskOf(plan, inv),
    duration: durationOf(plan, inv),
    affected: affectedOf(plan, inv),
    backOut: backOutOf(plan),
    validation: validationOf(plan, inv),
    blockers: plan.blockers.map((b) => ({ id: b.id, message: b.message, remedy: b.remedy ?? [], source: b.source ?? null })),
    risks: risksOf(plan),
    followUps: plan.followUps.map((f) => ({ title: f.title, commands: f.commands.map((argv) => argv.join(' ')) })),
    approvals: ['Change owner (runs the upgrade)', 'Platform / mesh owner', 'Owners of the affected services', 'Change advisory board'].map((role) => ({
      role,
      name: null,
      decision: null,
      date: null,
    })),
  };
}

/** One cluster's row in a multi-cluster change ticket: its own ticket, summed up. */
export function clusterSummary(t: ChangeTicket): { status: string; steps: number; risk: Rating; minutes: number; podsRestarted: number; pointOfNoReturn: string | null } {
  return {
    status: t.change.status,
    steps: t.change.steps,
    risk: t.risk.rating,
    minutes: t.duration.estimatedMinutes,
    podsRestarted: t.affected.flatMap((a) => a.workloads).reduce((n, w) => n + w.pods, 0),
    pointOfNoReturn: t.backOut.pointOfNoReturn?.stepId ?? null,
  };
}

const restarted = (st: PlanStep) => st.verify.flatMap((v) => (v.type === 'workloads-restarted' ? v.workloads : []));
const podsOf = (inv: Inventory, ns: string, name: string) => inv.dataPlane.workloads.filter((w) => w.namespace === ns && w.name === name).reduce((n, w) => n + w.pods, 0);

function riskOf(plan: Plan, inv: Inventory): ChangeTicket['risk'] {
  const found: [Rating, string][] = [];
  if (plan.blockers.length) found.push(['high', `the plan is blocked by ${plan.blockers.length} blocker(s); apply refuses it until they are resolved`]);
  if (plan.warnings.some((w) => w.id === 'unknown-target-version')) found.push(['high', `Istio ${plan.target.version} is not in the release catalog: no upgrade notes were checked`]);
  for (const st of plan.steps.filter((x) => x.irreversible)) found.push(['high', `step ${st.id} is irreversible (${st.title}); backing out after it means reinstalling`]);
  const workloads = plan.steps.flatMap(restarted);
  if (workloads.length) {
    const pods = workloads.reduce((n, w) => n + podsOf(inv, w.namespace, w.name), 0);
    found.push(['medium', `${workloads.length} workload(s) (${pods} pod(s)) are restarted; each keeps serving only with more than one replica and a PodDisruptionBudget or surge`]);
  }
  if (plan.steps.some((x) => x.kind === 'ztunnel-upgrade')) found.push(['medium', 'ztunnel restarts node by node: long-lived TCP connections of ambient pods are reset']);
  if (plan.steps.some((x) => x.kind === 'gateway-upgrade')) found.push(['medium', 'gateway pods roll: ingress traffic depends on their replicas and PodDisruptionBudget']);
  if (plan.steps.some((x) => x.verify.some((v) => v.type === 'tag-points-to' && v.tag === 'default'))) found.push(['medium', 'the default revision tag moves: new pods of every namespace without a revision label get the new proxy']);
  if (plan.hops.length > 1) found.push(['medium', `${plan.hops.length} hops: the mesh runs each intermediate version for a while`]);
  const behaviour = plan.notes.filter((n) => n.kind === 'warning' && n.applies === 'yes').length;
  if (behaviour) found.push(['medium', `${behaviour} behaviour change(s) listed under Risks apply to this mesh`]);
  const maybe = plan.notes.filter((n) => n.applies === 'maybe').length;
  if (maybe) found.push(['low', `${maybe} upgrade note(s) may apply; the cluster could not tell`]);
  if (!found.length) found.push(['low', 'control-plane changes only, every step reversible']);
  const rating = found.reduce<Rating>((r, [x]) => (RANK[x] > RANK[r] ? x : r), 'low');
  return { rating, reasons: found.sort((a, b) => RANK[b[0]] - RANK[a[0]]).map(([, why]) => why) };
}

/** Rough minutes of the step kinds whose length does not depend on the cluster's size. */
const FIXED_MINUTES: Record<string, { minutes: number; basis: string }> = {
  'gateway-upgrade': { minutes: 4, basis: 'Deployment rollout' },
  'istiod-upgrade': { minutes: 4, basis: 'Deployment rollout' },
  'istiod-install': { minutes: 3, basis: 'Helm install and istiod rollout' },
  'old-revision-removal': { minutes: 3, basis: 'Helm changes and uninstall' },
  'base-chart-upgrade': { minutes: 2, basis: 'one Helm upgrade (CRDs)' },
  'default-revision-move': { minutes: 1, basis: 'one Helm upgrade (base chart) or istioctl tag set' },
  preflight: { minutes: 2, basis: 'read-only checks' },
  backup: { minutes: 1, basis: 'reads and writes files' },
};

/** Rough minutes per step; the basis is printed with the estimate so a reader can correct it. */
function stepMinutes(st: PlanStep, inv: Inventory): { minutes: number; basis: string } {
  if (st.kind === 'cni-upgrade' || st.kind === 'ztunnel-upgrade') {
    const nodes = Math.max(1, inv.cluster.nodes.length);
    return { minutes: Math.max(2, nodes), basis: `DaemonSet rolls node by node: ~1 min × ${nodes} node(s)` };
  }
  if (st.kind === 'workload-restart') {
    const pods = restarted(st).reduce((n, w) => n + podsOf(inv, w.namespace, w.name), 0);
    return { minutes: 2 + Math.ceil(pods / 2), basis: `rolling restarts: 2 min + ~30 s × ${pods} pod(s)` };
  }
  return FIXED_MINUTES[st.kind] ?? { minutes: 1, basis: 'a few Kubernetes API changes' };
}

function durationOf(plan: Plan, inv: Inventory): ChangeTicket['duration'] {
  const steps = plan.steps.map((st) => ({ id: st.id, title: st.title, ...stepMinutes(st, inv) }));
  const estimatedMinutes = steps.reduce((n, st) => n + st.minutes, 0);
  return {
    estimatedMinutes,
    // Room to roll everything back and to validate, in quarter hours.
    maintenanceWindowMinutes: estimatedMinutes ? Math.ceil((2 * estimatedMinutes + 15) / 15) * 15 : 0,
    basis: 'sum of per-step estimates; the window adds the same again for a full back-out and 15 min of validation, rounded up to 15 min',
    steps,
  };
}

function affectedOf(plan: Plan, inv: Inventory): ChangeTicket['affected'] {
  const byNs = new Map<string, { workloads: Map<string, { kind: string; name: string; pods: number }>; disruption: Set<string> }>();
  const at = (ns: string) => {
    if (!byNs.has(ns)) byNs.set(ns, { workloads: new Map(), disruption: new Set() });
    return byNs.get(ns)!;
  };
  const ambient = inv.dataPlane.namespaces.filter((n) => n.dataplaneMode === 'ambient').map((n) => n.name);
  for (const st of plan.steps) {
    for (const w of restarted(st)) {
      at(w.namespace).workloads.set(`${w.kind}/${w.name}`, { kind: w.kind, name: w.name, pods: podsOf(inv, w.namespace, w.name) });
      at(w.namespace).disruption.add(`rolling restart of its workloads onto the new proxy (${st.id})`);
    }
    if (st.kind === 'gateway-upgrade')
      for (const v of st.verify) if (v.type === 'deployment-rollout') at(v.namespace).disruption.add(`gateway ${v.name} pods roll one at a time (${st.id})`);
    if (st.kind === 'ztunnel-upgrade') for (const ns of ambient) at(ns).disruption.add(`ztunnel restarts node by node: long-lived TCP connections are reset (${st.id})`);
    if (st.kind === 'cni-upgrade') for (const ns of ambient) at(ns).disruption.add(`pods scheduled while istio-cni restarts on their node wait for it (${st.id})`);
    for (const v of st.verify) {
      if (v.type === 'tag-points-to') {
        const tagged = inv.tags.find((t) => t.name === v.tag)?.namespaces ?? [];
        const injected = v.tag === 'default' ? inv.dataPlane.namespaces.filter((n) => n.injection === 'enabled').map((n) => n.name) : [];
        for (const ns of new Set([...tagged, ...injected])) at(ns).disruption.add(`new pods get revision ${v.revision}'s proxy; running pods keep theirs until restarted (${st.id})`);
      }
      if (v.type === 'namespaces-labelled') for (const ns of v.namespaces) at(ns).disruption.add(`relabelled ${v.label}${v.value === null ? ' removed' : `=${v.value}`}; new pods follow the new label (${st.id})`);
    }
  }
  return [...byNs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, x]) => ({ namespace, workloads: [...x.workloads.values()], disruption: [...x.disruption] }));
}

function backOutOf(plan: Plan): ChangeTicket['backOut'] {
  const first = plan.steps.find((st) => st.irreversible);
  const before = first ? plan.steps.slice(0, plan.steps.indexOf(first)) : plan.steps;
  return {
    pointOfNoReturn: first
      ? { stepId: first.id, title: first.title, explanation: `until step ${first.id} starts, every completed step can be rolled back; after it, going back means reinstalling what it removed` }
      : null,
    howTo:
      'apply rolls a failed step back by itself (--on-failure rollback); to back out completed steps run `istio-upgrade rollback <run-id>` (the run id is printed by apply and listed by `istio-upgrade history`), which runs these rollbacks newest first',
    steps: [...before].reverse().map((st) => ({ stepId: st.id, title: st.title, commands: st.rollback ? commandLines(st.rollback.commands) : null })),
  };
}

function validationOf(plan: Plan, inv: Inventory): ChangeTicket['validation'] {
  if (plan.upToDate) return [];
  const checks: ChangeTicket['validation'] = [
    { check: 'apply verified every step as it ran (Helm releases deployed, rollouts complete, tags on the new revision, restarted pods on the new proxy); the run ended "succeeded"', command: 'istio-upgrade history' },
    { check: `revision ${plan.target.revision} is healthy, runs ${plan.target.version}, and no proxy is left on a removed revision`, command: 'istio-upgrade status' },
    { check: 'every proxy is connected and in sync with its istiod', command: 'istioctl proxy-status' },
    { check: 'Istio configuration analysis reports no new errors', command: 'istioctl analyze --all-namespaces' },
  ];
  if (inv.gateways.length) checks.push({ check: `requests through the gateways (${inv.gateways.map((g) => `${g.namespace}/${g.name}`).join(', ')}) succeed with the usual status codes and latency` });
  checks.push({ check: 'the affected services report normal error rates and latency in monitoring for at least 30 minutes' });
  return checks;
}

/** `istio/istio@ref:path`, `istio/istio.io:path` or a URL → links a browser opens. */
export function sourceLinks(source: string | undefined): string[] {
  if (!source) return [];
  return source.split(/;\s*/).map((s) => {
    const repoAt = /^([\w.-]+\/[\w.-]+)@([^:]+):(.+)$/.exec(s);
    if (repoAt) return `https://github.com/${repoAt[1]}/blob/${repoAt[2]}/${repoAt[3]}`;
    const repo = /^([\w.-]+\/[\w.-]+):(.+)$/.exec(s);
    if (repo) return `https://github.com/${repo[1]}/blob/master/${repo[2]}`;
    return s;
  });
}

function risksOf(plan: Plan): ChangeTicket['risks'] {
  const seen = new Set<string>();
  const out: ChangeTicket['risks'] = [];
  for (const n of plan.notes) {
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    const explained = explanationOf(n.id);
    out.push({
      id: n.id,
      explanation: explained ?? `Release note (not yet explained here): ${n.summary}`,
      explained: explained !== undefined,
      applies: n.applies,
      source: n.source,
      links: sourceLinks(n.source),
    });
  }
  for (const w of plan.warnings) {
    if (seen.has(w.id)) continue;
    seen.add(w.id);
    out.push({ id: w.id, explanation: w.message, explained: true, applies: 'yes', source: w.source ?? null, links: sourceLinks(w.source) });
  }
  return out;
}
