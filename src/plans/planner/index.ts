import semver from 'semver';
import type { Inventory } from '../../k8s/inventory.js';
import { UserError, ExitCode } from '../../errors.js';
import { CatalogError, compatibilityVersionsFor, resolveTarget, upgradePolicy } from '../catalog/index.js';
import { collectFacts } from '../facts.js';
import { PLAN_API_VERSION, type Hop, type Plan, type PlanStep } from '../plan-schema.js';
import { clusterFacts } from './cluster-facts.js';
import { composeHop, type PlanState } from './compose.js';
import { Findings } from './findings.js';
import { computeHops } from './hops.js';
import { evaluateHopNotes } from './notes.js';
import { preflightChecks } from './preflight.js';
import type { PlanRequest } from './request.js';
import { activeRevision, isDns1123Label, revisionNameFor } from './source.js';

export type { PlanRequest } from './request.js';
export { DEFAULT_REQUEST } from './request.js';

const minorOf = (v: string) => `${semver.major(v)}.${semver.minor(v)}`;

/**
 * Pure: inventory + request + catalog → plan. Blockers do not throw; a blocked plan still lists
 * what it could plan so people see the whole picture. Bad requests throw UserError (exit 2).
 */
export function planUpgrade(inv: Inventory, req: PlanRequest): Plan {
  const f = new Findings();
  const source = activeRevision(inv);
  let target;
  try {
    target = resolveTarget(req.to, { allowUnknown: req.allowUnknownVersion });
  } catch (e) {
    if (e instanceof CatalogError) throw new UserError(`--to ${req.to}: ${e.message}${e.code === 'invalid-version' ? '' : ' (pass --allow-unknown-version to plan anyway)'}`, ExitCode.usage);
    throw e;
  }
  if (target.warning) f.warning('unknown-target-version', target.warning);

  const base: Plan = {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    metadata: { id: req.planId, createdAt: req.now.toISOString(), toolVersion: req.toolVersion, context: inv.source.context, clusterId: inv.cluster.clusterId, inputs: inv.source.type },
    source: {
      version: source?.version ?? 'unknown',
      revision: source?.name ?? 'none',
      mode: inv.mode === 'ambient' ? 'ambient' : 'sidecar',
      installMethod: inv.installMethod,
      istioNamespace: inv.istioNamespace,
      kubernetesVersion: inv.cluster.kubernetesVersion,
    },
    target: { version: target.version, revision: req.revision ?? revisionNameFor(target.version), known: target.known },
    strategy: req.strategy,
    upToDate: false,
    hops: [],
    blockers: f.blockers,
    warnings: f.warnings,
    notes: [],
    steps: [],
    followUps: [],
    facts: collectFacts(inv),
  };

  if (!source || !source.version || !semver.valid(source.version)) {
    f.blocker('no-control-plane', source ? `cannot tell the version of istiod revision ${source.name}` : `no istiod was found in namespace ${inv.istioNamespace} (use --istio-namespace)`);
    return base;
  }
  if (source.version === target.version) return { ...base, upToDate: true, target: { ...base.target, revision: source.name } };
  if (semver.lt(target.version, source.version) && !req.allowDowngrade) {
    throw new UserError(`--to ${target.version} is older than the installed ${source.version}; pass --allow-downgrade to plan a downgrade`, ExitCode.usage);
  }
  if (req.revision !== undefined && !isDns1123Label(req.revision)) {
    throw new UserError(`--revision "${req.revision}" is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`, ExitCode.usage);
  }
  for (const t of req.tagOrder ?? []) {
    if (!inv.tags.some((x) => x.name === t)) throw new UserError(`--tag-order names tag "${t}", which does not exist (tags: ${inv.tags.map((x) => x.name).join(', ') || 'none'})`, ExitCode.usage);
  }

  const policy = upgradePolicy();
  const ambient = inv.mode === 'ambient';
  const ceiling = req.strategy === 'in-place' ? policy.inPlaceMaxMinorJump.value : ambient ? policy.ambientMaxMinorJump.value : policy.canaryMaxMinorJump.value;
  const maxJump = Math.max(1, Math.min(req.maxMinorJump, ceiling));
  const hopVersions = computeHops(source.version, target.version, maxJump);
  if (ambient && req.strategy === 'canary' && hopVersions.length > 1) f.warning('ambient-one-minor-per-hop', 'ambient meshes go one minor per hop: istio-cni and ztunnel tolerate one minor of skew and cannot be canaried', { source: policy.ambientMaxMinorJump.source });

  const method = inv.installMethod === 'istioctl' ? 'istioctl' : 'helm';
  const taken = new Set([...inv.revisions.map((r) => r.name), ...inv.tags.map((t) => t.name)]);
  const hops: Hop[] = [];
  let prevRevision = source.name;
  hopVersions.forEach((h, i) => {
    const last = i === hopVersions.length - 1;
    const revision = req.strategy === 'in-place' ? source.name : last && req.revision ? req.revision : revisionNameFor(h.to);
    if (req.strategy === 'canary' && taken.has(revision)) {
      f.blocker('revision-name-taken', `revision name ${revision} is already used by an installed revision or a tag; pick another with --revision or remove the leftover first`);
    }
    hops.push({ index: i + 1, from: h.from, to: h.to, fromRevision: prevRevision, revision, compatibilityVersion: null, compatibilityReason: null });
    prevRevision = revision;
  });

  const facts = clusterFacts(inv, source);
  const notes = hops.map((h) => evaluateHopNotes(h.index, h.from, h.to, facts, f, base.notes));
  hops.forEach((h, i) => chooseCompatibility(h, req.compatibilityVersion, notes[i]!.compatibilityRevertible.map((n) => n.id), i === hops.length - 1 ? base.followUps : []));
  preflightChecks(inv, source, hopVersions, req.strategy, req.now, f);

  const state: PlanState = {
    revision: source.name,
    version: source.version,
    istiodRelease: source.helmRelease,
    compatibilityVersion: source.compatibilityVersion,
    helmRevisions: new Map(),
    tags: new Map(inv.tags.map((t) => [t.name, t.revision])),
    namespaceRevLabels: new Map(inv.dataPlane.namespaces.map((n) => [n.name, n.revisionLabel])),
    namespaceInjection: new Map(inv.dataPlane.namespaces.map((n) => [n.name, n.injection])),
    crdsHelmOwned: inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned),
    touched: new Set(),
  };
  const checks = [...f.blockers.map((b) => `blocker: ${b.message}`), ...f.warnings.filter((w) => !w.id.startsWith('1.')).map((w) => `warning: ${w.message}`)];
  const steps: PlanStep[] = [];
  // Named after the versions, not the plan id: the same cluster state and flags give the same steps, so plans diff.
  const composed = { ...req, backupDir: req.backupDir ?? `istio-upgrade-backup-${source.version}-to-${target.version}` };
  hops.forEach((hop, i) => steps.push(...composeHop({ inv, req: composed, hop, notes: notes[i]!, method, state, f, followUps: base.followUps, preflightChecks: checks })));
  return { ...base, hops, steps };
}

/** `auto` keeps the source minor's behaviour when this hop changes defaults that a compatibility profile can revert. */
function chooseCompatibility(hop: Hop, wanted: string, revertible: string[], followUps: Plan['followUps']): void {
  const accepted = compatibilityVersionsFor(minorOf(hop.to));
  if (wanted === 'none') return;
  if (wanted !== 'auto') {
    if (!accepted.includes(wanted)) throw new UserError(`--compatibility-version ${wanted} is not accepted by Istio ${minorOf(hop.to)} (accepted: ${accepted.join(', ') || 'none'})`, ExitCode.usage);
    hop.compatibilityVersion = wanted;
    hop.compatibilityReason = 'requested with --compatibility-version';
  } else {
    const fromMinor = minorOf(hop.from);
    if (!revertible.length || !accepted.includes(fromMinor) || fromMinor === minorOf(hop.to)) return;
    hop.compatibilityVersion = fromMinor;
    hop.compatibilityReason = `keeps ${fromMinor} behaviour for the changes a compatibility profile reverts: ${revertible.join(', ')}`;
  }
  // Only the last hop's revision survives the plan, so only its setting needs a follow-up.
  followUps.push({
    id: `h${hop.index}-drop-compatibility-version`,
    title: `After validating ${hop.to}, adopt its new defaults by removing compatibilityVersion=${hop.compatibilityVersion} from revision ${hop.revision}`,
    commands: [['helm', 'upgrade', `istiod-${hop.revision}`, 'istio/istiod', '-n', '<istio-namespace>', '--version', hop.to, '--reuse-values', '--set', 'compatibilityVersion=null']],
  });
}
