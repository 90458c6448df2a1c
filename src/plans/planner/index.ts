import semver from 'semver';
import type { Inventory } from '../../k8s/inventory.js';
import { UserError, ExitCode } from '../../errors.js';
import { CatalogError, compatibilityVersionsFor, resolveTarget, upgradePolicy } from '../catalog/index.js';
import type { Hop, Plan, PlanStep } from '../../plan/schema.js';
import type { PlanState } from '../../steps/hop-context.js';
import { STEPS, type StepRegistry } from '../../steps/registry.js';
import { minorOf } from '../../util/version.js';
import { clusterFacts } from './cluster-facts.js';
import { composeHop } from './compose.js';
import { Findings } from './findings.js';
import { computeHops } from './hops.js';
import { asksRestartAfterZtunnel, checkPolicyOrder, evaluateHopNotes, revertedByCompatibility, type ChartValue } from './notes.js';
import { preflightChecks } from './preflight.js';
import { imageHubFindings } from './image-hub.js';
import { chartArgs } from '../../plan/commands.js';
import { valuesToFile } from '../../plan/by-hand.js';
import type { ChartSource } from '../../plan/operations.js';
import { chartSourceFor } from '../../steps/commands.js';
import type { PlanRequest } from './request.js';
import { activeRevision, revisionNameFor } from './source.js';
import { isDns1123Label, isHelmReleaseName } from '../../plan/names.js';
import { partialUpgrade } from './partial.js';
import { planSkeleton } from './skeleton.js';
import { withGates } from '../../plan/gates.js';
import { reportEolRevisionsLeft, reportStragglers } from './left-behind.js';
import { gatewayApiDecision, type GatewayApiDecision } from './gateway-api-crds.js';
import type { HopNotes } from './notes.js';
import { operatorFileAgainstMesh } from './operator-file-mesh.js';

/** Warning id of a target the release catalog does not know (planned only with --allow-unknown-version). */
export const UNKNOWN_TARGET_WARNING = 'unknown-target-version';

export type { PlanRequest } from './request.js';
export { DEFAULT_REQUEST } from './request.js';

/**
 * Pure: inventory + request + catalog → plan. Blockers do not throw; a blocked plan still lists
 * what it could plan so people see the whole picture. Bad requests throw UserError (exit 2).
 */
export function planUpgrade(observed: Inventory, req: PlanRequest, registry: StepRegistry = STEPS): Plan {
  const f = new Findings();
  const inv = withoutUnsafeReleases(observed, f);
  const source = activeRevision(inv);
  let target;
  try {
    target = resolveTarget(req.to, { allowUnknown: req.allowUnknownVersion });
  } catch (e) {
    if (e instanceof CatalogError) throw new UserError(`--to ${req.to}: ${e.message}${e.code === 'invalid-version' ? '' : ' (pass --allow-unknown-version to plan anyway)'}`, ExitCode.usage);
    throw e;
  }
  if (target.warning) f.warning(UNKNOWN_TARGET_WARNING, target.warning);
  if (inv.cluster.clusterId === null) {
    f.warning(
      'no-cluster-identity',
      `the input records no cluster identity (the UID of the kube-system namespace${inv.source.context ? '' : ', nor a context'}): apply cannot tell this cluster from another and refuses the plan unless given --allow-any-cluster`,
    );
  }

  const base = planSkeleton(
    inv,
    req,
    f,
    { version: source?.version ?? 'unknown', revision: source?.name ?? 'none' },
    // In place, the revision keeps its name (`default` for a revision-less istiod).
    { version: target.version, revision: req.strategy === 'in-place' && source ? source.name : (req.revision ?? revisionNameFor(target.version)), known: target.known },
  );

  if (!source || !source.version || !semver.valid(source.version)) {
    f.blocker('no-control-plane', source ? `cannot tell the version of istiod revision ${source.name}` : `no istiod was found in namespace ${inv.istioNamespace} (use --istio-namespace)`);
    return base;
  }
  const partial = partialUpgrade(inv, source, target.version, req.strategy === 'in-place' ? source.name : (req.revision ?? revisionNameFor(target.version)));
  if (source.version === target.version && !partial) return { ...base, upToDate: true, target: { ...base.target, revision: source.name } };
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
  const maxJump = Math.max(1, Math.min(req.maxMinorJump, ceiling, policy.generalMaxMinorJump.value));
  // A half-done upgrade continues from the older revision still in use, reusing the revision already at the target.
  const resume = partial && computeHops(partial.from.version!, target.version, maxJump).length === 1 ? partial : undefined;
  const from = resume?.from ?? source;
  if (resume) {
    f.warning('partial-upgrade', `revision ${resume.to.name} already runs ${target.version} but the upgrade is not finished: ${resume.lagging.join('; ')}; this plan does the remaining steps`);
    base.source = { ...base.source, version: from.version!, revision: from.name };
  }
  const hopVersions = computeHops(from.version!, target.version, maxJump);
  if (ambient && req.strategy === 'canary' && hopVersions.length > 1) f.warning('ambient-one-minor-per-hop', 'ambient meshes go one minor per hop: istio-cni and ztunnel tolerate one minor of skew and cannot be canaried', { source: policy.ambientMaxMinorJump.source });

  const method = inv.installMethod === 'istioctl' ? 'istioctl' : 'helm';
  const taken = new Set([...inv.revisions.map((r) => r.name), ...inv.tags.map((t) => t.name)]);
  const hops: Hop[] = [];
  let prevRevision = from.name;
  hopVersions.forEach((h, i) => {
    const last = i === hopVersions.length - 1;
    const revision = resume ? resume.to.name : req.strategy === 'in-place' ? source.name : last && req.revision ? req.revision : revisionNameFor(h.to);
    if (req.strategy === 'canary' && taken.has(revision) && !resume) {
      f.blocker('revision-name-taken', `revision name ${revision} is already used by an installed revision or a tag; pick another with --revision or remove the leftover first`);
    }
    hops.push({ index: i + 1, from: h.from, to: h.to, fromRevision: prevRevision, revision, compatibilityVersion: null, compatibilityReason: null });
    prevRevision = revision;
  });

  if (method === 'istioctl' && req.strategy === 'canary' && !req.istioOperatorFile) {
    f.blocker('istioctl-needs-operator-file', 'istioctl keeps no installed-state IstioOperator since 1.21: installing the new revision without the IstioOperator file the mesh was installed from would drop every meshConfig, values and hub setting of the running install', {
      remedy: ['plan again with --istio-operator-file <the IstioOperator YAML you installed with> (its sha256 is recorded in the plan)'],
    });
  }
  if (method === 'istioctl' && req.istioOperatorFile) operatorFileAgainstMesh(req.istioOperatorFile, from, f);
  const facts = clusterFacts(inv, from);
  const gatewayApi = gatewayApiDecision(inv.crds.gatewayApi, hops, req.skipGatewayApiCrds ?? false, req.gatewayApiReleases);
  // From the hop that upgrades them (or whose CRDs a platform team upgrades), notes see the bundle the hop needs.
  const factsFor = (h: Hop) => (gatewayApi.kind !== 'none' && h.index >= gatewayApi.upgrade.hop ? { ...facts, components: { ...facts.components, 'gateway-api-crds': gatewayApi.upgrade.to } } : facts);
  const notes = hops.map((h) => evaluateHopNotes(h.index, h.from, h.to, factsFor(h), f, base.notes));
  reportGatewayApi(gatewayApi, notes, hops, f);
  chooseCompatibility(hops, req.compatibilityVersion, notes, f);
  preflightChecks(inv, from, hopVersions, req.strategy, req.now, f, req.chartRepo);
  imageHubFindings(inv, req, target.version, f);
  checkPolicyOrder(ambient, f);

  const state: PlanState = {
    revision: from.name,
    version: from.version!,
    istiodRelease: from.helmRelease,
    compatibilityVersion: from.compatibilityVersion,
    changedReleases: new Set(),
    tags: new Map(inv.tags.map((t) => [t.name, t.revision])),
    defaultRevision: inv.defaults.validatorRevision ?? inv.defaults.baseDefaultRevision,
    namespaceRevLabels: new Map(inv.dataPlane.namespaces.map((n) => [n.name, n.revisionLabel])),
    namespaceInjection: new Map(inv.dataPlane.namespaces.map((n) => [n.name, n.injection])),
    crdsHelmOwned: inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned),
    touched: [],
    compatCharts: new Set(),
    gatewayPins: new Map(),
    gatewaysOnOld: new Set(),
  };
  const checks = [...f.blockers.map((b) => `checks again the blocker found while planning: ${b.message}`), ...f.warnings.filter((w) => !w.id.startsWith('1.')).map((w) => `checks again the warning found while planning: ${w.message}`)];
  const steps: PlanStep[] = [];
  // Named after the versions, not the plan id: the same cluster state and flags give the same steps, so plans diff.
  const composed = { ...req, backupDir: req.backupDir ?? `istio-upgrade-backup-${source.version}-to-${target.version}` };
  hops.forEach((hop, i) => steps.push(...composeHop({ inv, req: composed, hop, lastHop: hops.length, finalRevision: hops.at(-1)!.revision, notes: notes[i]!, method, state, f, followUps: base.followUps, preflightChecks: checks, reuse: resume?.to, registry })));
  reportStragglers(inv, from, steps, target.version, f);
  reportEolRevisionsLeft(inv, hops, steps, req.now, f);
  const last = hops[hops.length - 1]!;
  if (method === 'helm') {
    const rel = resume?.to.helmRelease ?? finalIstiodRelease(last, req.strategy, source.helmRelease, inv.istioNamespace);
    const charts = req.chartSource ?? chartSourceFor(req.chartRepo);
    const compatReleases = compatibilityReleases(steps, last);
    // A resumed hop may not touch istiod again; its release still carries the value.
    const istiod = compatReleases.some((r) => r.chart === 'istiod') ? [] : [{ ...rel, chart: 'istiod', source: charts, version: last.to }];
    // Changes the last hop's profile still reverts that, once on, reach only pods started after them.
    const restartWhenDropped = notes.flatMap((n) => n.compatibilityRevertible).filter((n) => revertedByCompatibility(n, last.compatibilityVersion) && asksRestartAfterZtunnel(n));
    compatibilityFollowUp(last, [...istiod, ...compatReleases], [...new Set(restartWhenDropped.map((n) => n.id))], base.followUps);
    valueFollowUps(notes.flatMap((n) => n.chartValues), last, rel, charts, base.followUps);
  }
  if (!base.blockers.length) return withGates({ ...base, hops, steps });
  return withGates({ ...base, hops, steps: steps.map(withoutCommands), followUps: base.followUps.map(followUpWithoutCommands) });
}

/** The hop that upgrades the Gateway API CRDs gets the step; skipped, the plan says what the platform team must install first. */
function reportGatewayApi(d: GatewayApiDecision, notes: HopNotes[], hops: Hop[], f: Findings): void {
  if (d.kind === 'none') return;
  const u = d.upgrade;
  const hop = hops.find((h) => h.index === u.hop)!;
  const needs = u.needs.map((n) => `${n.crd} ≥ v${n.min}`).join(', ');
  if (d.kind === 'skipped') {
    f.warning('gateway-api-crds-skipped', `not done by this plan (--skip-gateway-api-crds): before hop ${u.hop} installs istiod ${hop.to}, the Gateway API CRDs must be upgraded from v${u.from} to v${u.to} (${u.channel} channel; istiod ${hop.to} ignores ${needs} otherwise)`, {
      remedy: [`kubectl apply --server-side -f ${u.manifest}`],
    });
    return;
  }
  notes[u.hop - 1]!.gatewayApiCrds = u;
  if (u.previousIgnores.length) f.warning('gateway-api-crds-previous-ignores', `hop ${u.hop} upgrades the Gateway API CRDs to v${u.to} before its istiod; until the gateways and tags move to ${hop.revision}, istiod ${hop.fromRevision} ignores ${u.previousIgnores.join(', ')}`);
}

/**
 * A blocked plan still shows every step it would take, but never a command: run by hand from a plan the planner
 * refused, one could harm (e.g. `helm upgrade <umbrella release> istio/cni` deletes the rest of the umbrella release).
 */
function withoutCommands(step: PlanStep): PlanStep {
  return {
    ...step,
    why: [...step.why, { text: 'Not executable: this plan is blocked. Resolve the blockers and plan again to get the commands.' }],
    commands: [],
    rollback: step.rollback ? { commands: [] } : null,
  };
}

/** Follow-ups of a blocked plan are named, never given as commands (a blocked umbrella plan's was `helm uninstall ambient`). */
function followUpWithoutCommands(u: Plan['followUps'][number]): Plan['followUps'][number] {
  return { ...u, title: `${u.title} (commands not shown: this plan is blocked)`, commands: [] };
}

/**
 * `auto` keeps the plan's source minor's behaviour for as long as each hop's target accepts it as a
 * compatibilityVersion; when a target no longer accepts it, the oldest accepted version is used and the warning
 * names the changes that switch on at that hop. A change that switches on there and asks for the ambient workloads
 * to be restarted after ztunnel gets that restart in this hop (its own hop had none: the profile masked it).
 */
function chooseCompatibility(hops: Hop[], wanted: string, notes: HopNotes[], f: Findings): void {
  if (wanted === 'none') return;
  const sourceMinor = minorOf(hops[0]!.from);
  const pending: HopNotes['compatibilityRevertible'] = [];
  const switchedOn = new Set<string>();
  hops.forEach((hop, i) => {
    const accepted = compatibilityVersionsFor(minorOf(hop.to));
    pending.push(...notes[i]!.compatibilityRevertible);
    if (wanted !== 'auto') {
      if (!accepted.includes(wanted)) throw new UserError(`--compatibility-version ${wanted} is not accepted by Istio ${minorOf(hop.to)} (accepted: ${accepted.join(', ') || 'none'})`, ExitCode.usage);
      hop.compatibilityVersion = wanted;
      hop.compatibilityReason = 'requested with --compatibility-version';
      return;
    }
    if (!pending.length || sourceMinor === minorOf(hop.to)) return;
    if (accepted.includes(sourceMinor)) {
      hop.compatibilityVersion = sourceMinor;
      hop.compatibilityReason = `keeps ${sourceMinor} behaviour for the changes a compatibility profile reverts: ${[...new Set(pending.map((n) => n.id))].join(', ')}`;
      return;
    }
    const oldest = accepted.filter((v) => semver.gt(`${v}.0`, `${sourceMinor}.0`)).sort((a, b) => semver.compare(`${a}.0`, `${b}.0`))[0];
    if (oldest) {
      hop.compatibilityVersion = oldest;
      hop.compatibilityReason = `Istio ${minorOf(hop.to)} no longer accepts ${sourceMinor}; ${oldest} is the oldest it accepts`;
    }
    const switching = pending.filter((n, k) => !switchedOn.has(n.id) && pending.findIndex((x) => x.id === n.id) === k && !revertedByCompatibility(n, oldest ?? null));
    for (const n of switching) switchedOn.add(n.id);
    if (!switching.length) return;
    f.warning(`h${hop.index}-compatibility-changes-switch-on`, `hop ${hop.index} (${hop.to}) cannot keep ${sourceMinor} behaviour (accepts ${accepted.join(', ') || 'none'}): these changes switch on now: ${switching.map((n) => n.id).join(', ')}`);
    const restart = switching.find(asksRestartAfterZtunnel);
    const own = notes[i]!.restartAfterZtunnel;
    if (restart && (!own || revertedByCompatibility(own, hop.compatibilityVersion))) notes[i]!.restartAfterZtunnel = restart;
  });
}

/**
 * Helm release records come from cluster data: one whose name or namespace could be read as a flag
 * (`--kube-apiserver=…`) never reaches a command. It is a blocker, and the plan treats it as absent.
 */
function withoutUnsafeReleases(inv: Inventory, f: Findings): Inventory {
  const unsafe = inv.helmReleases.filter((r) => !isHelmReleaseName(r.name) || !isDns1123Label(r.namespace));
  for (const r of unsafe) {
    f.blocker('unsafe-release-name', `Helm release ${JSON.stringify(r.name.slice(0, 80))} in namespace ${JSON.stringify(r.namespace.slice(0, 80))} is not a valid Helm release name; it is never passed to helm. Remove or rename its record (Secret ${r.secretName})`);
  }
  return unsafe.length ? { ...inv, helmReleases: inv.helmReleases.filter((r) => !unsafe.includes(r)) } : inv;
}

/** A chart release a follow-up upgrades again, with the chart, source and version the plan left it at. */
interface ReleaseAtTarget {
  release: string;
  namespace: string;
  chart: string;
  source: ChartSource;
  version: string;
  /** Helm 4 upgrades it client-side (src/plans/helm-apply-method.ts). */
  clientSideApply?: boolean;
}

/** Commands an operator runs to remove one value from a release while keeping the rest of its values. */
function removeValueCommands(r: ReleaseAtTarget, path: string): string[][] {
  const saved = valuesToFile(r.namespace, r.release);
  return [
    saved.argv,
    ['helm', 'upgrade', r.release, ...chartArgs(r.source, r.chart, r.version), '-n', r.namespace, '--version', r.version, ...(r.clientSideApply ? ['--server-side=false'] : []), '--values', saved.file, '--set', `${path}=null`, '--wait'],
  ];
}

/** Every release a hop installs or upgrades with compatibilityVersion set (istiod, istio-cni, ztunnel, gateways), in step order. */
function compatibilityReleases(steps: PlanStep[], hop: Hop): ReleaseAtTarget[] {
  return steps
    .filter((s) => s.hop === hop.index)
    .flatMap((s) => s.commands.flatMap((c) => (c.helm ? [c.helm] : [])))
    .flatMap((op) =>
      (op.op === 'install' || op.op === 'upgrade') && op.values.settings.some((v) => v.key === 'compatibilityVersion')
        ? [{ release: op.release, namespace: op.namespace, chart: op.chart, source: op.source, version: op.version, clientSideApply: op.op === 'upgrade' && op.serverSide === false }]
        : [],
    );
}

/** The last hop's istiod release: in place it keeps its name; a canary's last hop installed `istiod-<revision>`. */
function finalIstiodRelease(hop: Hop, strategy: PlanRequest['strategy'], source: { release: string; namespace: string } | null, ns: string): { release: string; namespace: string } {
  return strategy === 'in-place' && source ? source : { release: `istiod-${hop.revision}`, namespace: ns };
}

/**
 * A follow-up to adopt the last hop's new defaults, run by hand once the new version is validated: from every release
 * the hop set compatibilityVersion on, istiod first (the profiles also reach the istio-cni, ztunnel and gateway charts).
 */
function compatibilityFollowUp(hop: Hop, releases: ReleaseAtTarget[], restartNotes: string[], followUps: Plan['followUps']): void {
  if (!hop.compatibilityVersion) return;
  const unique = releases.filter((r, i) => releases.findIndex((x) => x.release === r.release && x.namespace === r.namespace) === i);
  const restart = restartNotes.length ? `; ${restartNotes.join(', ')} then switch on for pods started afterwards only, so restart the ambient workloads once ztunnel has rolled` : '';
  followUps.push({
    id: `h${hop.index}-drop-compatibility-version`,
    title: `After validating ${hop.to}, adopt its new defaults by removing compatibilityVersion=${hop.compatibilityVersion} from revision ${hop.revision} and every release this plan set it on (${unique.map((r) => `${r.namespace}/${r.release}`).join(', ')})${restart}`,
    commands: unique.flatMap((r) => removeValueCommands(r, 'compatibilityVersion')),
  });
}

/** Workarounds a note set on istiod, with the condition to drop them: one follow-up each. */
function valueFollowUps(values: ChartValue[], last: Hop, rel: { release: string; namespace: string }, charts: ChartSource, followUps: Plan['followUps']): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (!v.dropWhen || v.chart !== 'istiod' || seen.has(v.path)) continue;
    seen.add(v.path);
    followUps.push({
      id: `drop-${v.noteId}`,
      title: `Once ${v.dropWhen}, remove ${v.path} (set by this plan for note ${v.noteId}) from revision ${last.revision}`,
      commands: removeValueCommands({ ...rel, chart: 'istiod', source: charts, version: last.to }, v.path),
    });
  }
}
