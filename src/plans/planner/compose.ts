import type { HelmRelease, Inventory, Revision, Workload } from '../../k8s/inventory.js';
import type { Hop, Plan, PlanStep } from '../plan-schema.js';
import { revisionTagTemplates, upgradePolicy, type ChartKey } from '../catalog/index.js';
import type { ChartSetting } from '../../steps/commands.js';
import { finishStep, type BuiltStep, type StepContext } from '../../steps/types.js';
import { preflightStep } from '../../steps/preflight.js';
import { backupStep } from '../../steps/backup.js';
import { crdMigrationLabelsStep } from '../../steps/crd-migration-labels.js';
import { baseChartUpgradeStep } from '../../steps/base-chart-upgrade.js';
import { istiodInstallStep, istiodReleaseName } from '../../steps/istiod-install.js';
import { istiodUpgradeStep } from '../../steps/istiod-upgrade.js';
import { nodeAgentUpgradeStep } from '../../steps/node-agent-upgrade.js';
import { workloadRestartStep, type RestartTarget } from '../../steps/workload-restart.js';
import { namespaceRelabelStep } from '../../steps/namespace-relabel.js';
import { tagMoveStep, tagPointCommands } from '../../steps/tag-move.js';
import { gatewayUpgradeStep } from '../../steps/gateway-upgrade.js';
import { oldRevisionRemovalStep } from '../../steps/old-revision-removal.js';
import type { Findings } from './findings.js';
import type { HopNotes } from './notes.js';
import type { PlanRequest } from './request.js';

/** What changes from hop to hop while the plan is being built. */
export interface PlanState {
  revision: string;
  version: string;
  istiodRelease: { release: string; namespace: string } | null;
  compatibilityVersion: string | null;
  helmRevisions: Map<string, number>;
  tags: Map<string, string>;
  namespaceRevLabels: Map<string, string | null>;
  namespaceInjection: Map<string, string | null>;
  crdsHelmOwned: boolean;
  /** Fact keys already changed by earlier steps: later steps cannot rest on them. */
  touched: Set<string>;
  /** Releases (ns/name) of cni, ztunnel and gateway charts an earlier hop gave a compatibilityVersion. */
  compatCharts: Set<string>;
  /** Gateway releases (ns/name) this plan pinned to a revision, and the revision. */
  gatewayPins: Map<string, string>;
  /** Gateways (ns/name) whose pods stay on an older revision after the current hop. */
  gatewaysOnOld: Set<string>;
}

export interface ComposeInput {
  inv: Inventory;
  req: PlanRequest & { backupDir: string };
  hop: Hop;
  notes: HopNotes;
  method: 'helm' | 'istioctl';
  state: PlanState;
  f: Findings;
  followUps: Plan['followUps'];
  preflightChecks: string[];
  /** The revision already at the hop's target (a half-done upgrade): not installed again, components already there skipped. */
  reuse?: Revision;
}

const key = (ns: string, name: string) => `${ns}/${name}`;

function byComponent(inv: Inventory, component: HelmRelease['component']): HelmRelease | undefined {
  return inv.helmReleases.find((r) => r.component === component && r.namespace === inv.istioNamespace) ?? inv.helmReleases.find((r) => r.component === component);
}

/** Sidecar workloads of these namespaces: the restartable ones, and the names of those that are not. */
function sidecarWorkloads(inv: Inventory, namespaces: Set<string>, exclude: Set<string>): { targets: RestartTarget[]; unrestartable: string[] } {
  const targets = new Map<string, RestartTarget>();
  const unrestartable: string[] = [];
  for (const w of inv.dataPlane.workloads) {
    if (w.mode !== 'sidecar' || !namespaces.has(w.namespace) || exclude.has(`${w.namespace}/${w.name}`)) continue;
    if (!w.restartable) {
      unrestartable.push(`${w.namespace}/${w.kind}/${w.name}`);
      continue;
    }
    const k = `${w.kind}/${w.namespace}/${w.name}`;
    const t = targets.get(k);
    if (t) t.pods += w.pods;
    else targets.set(k, { kind: w.kind as RestartTarget['kind'], namespace: w.namespace, name: w.name, pods: w.pods });
  }
  return { targets: [...targets.values()], unrestartable };
}

function ambientWorkloads(inv: Inventory): RestartTarget[] {
  const out = new Map<string, RestartTarget>();
  for (const w of inv.dataPlane.workloads.filter((x: Workload) => x.mode === 'ambient' && x.restartable)) {
    const k = `${w.kind}/${w.namespace}/${w.name}`;
    const t = out.get(k);
    if (t) t.pods += w.pods;
    else out.set(k, { kind: w.kind as RestartTarget['kind'], namespace: w.namespace, name: w.name, pods: w.pods });
  }
  return [...out.values()];
}

export function composeHop(input: ComposeInput): PlanStep[] {
  const { inv, req, hop, notes, method, state, f } = input;
  const ns = inv.istioNamespace;
  const steps: PlanStep[] = [];
  const add = (built: BuiltStep, preconditions: string[] = []) => {
    const ctx: StepContext = { hop: hop.index, istioNamespace: ns, chartRepo: req.chartRepo, preconditions: hop.index === 1 ? preconditions.filter((k) => !state.touched.has(k)) : [] };
    steps.push(finishStep(ctx, built));
  };
  const touch = (...keys: string[]) => keys.forEach((k) => state.touched.add(k));
  const helmRev = (rel: HelmRelease) => state.helmRevisions.get(key(rel.namespace, rel.name)) ?? rel.revision;
  // Only when finishing a half-done upgrade: a release an earlier run already took to the target is left alone.
  const alreadyAtTarget = (rel: HelmRelease) => input.reuse !== undefined && !state.helmRevisions.has(key(rel.namespace, rel.name)) && rel.chartVersion === hop.to && rel.status === 'deployed';
  const bumpHelm = (rel: HelmRelease) => {
    state.helmRevisions.set(key(rel.namespace, rel.name), helmRev(rel) + 1);
    touch(`helm/${rel.namespace}/${rel.name}/revision`, `helm/${rel.namespace}/${rel.name}/chartVersion`, `helm/${rel.namespace}/${rel.name}/status`);
  };
  const canary = req.strategy === 'canary';
  /**
   * What a chart step sets on top of the release's values: the hop's compatibilityVersion on every chart a
   * compatibility profile can reach (istiod carries its own), and the values upgrade notes ask for.
   */
  const settingsFor = (chart: ChartKey, rel?: HelmRelease): ChartSetting[] => {
    const compat: ChartSetting[] = [];
    if (chart !== 'istiod' && upgradePolicy().compatibilityVersionOnEveryChart.charts.includes(chart)) {
      const carried = rel && (state.compatCharts.has(key(rel.namespace, rel.name)) || (rel.values.compatibilityVersion ?? null) !== null);
      if (hop.compatibilityVersion) compat.push({ path: 'compatibilityVersion', value: hop.compatibilityVersion });
      else if (carried) compat.push({ path: 'compatibilityVersion', value: null });
      if (rel) state.compatCharts[hop.compatibilityVersion ? 'add' : 'delete'](key(rel.namespace, rel.name));
    }
    return [...compat, ...notes.chartValues.filter((v) => v.chart === chart).map(({ path, value }) => ({ path, value }))];
  };
  const fromRevision = state.revision;
  const newRevision = hop.revision;
  const ambient = inv.mode === 'ambient';

  if (hop.index === 1) {
    add(preflightStep({ targetVersion: hop.to, sourceMinor: hop.from.split('.').slice(0, 2).join('.'), checks: input.preflightChecks, istioctlPrecheck: true }));
    add(
      backupStep({
        directory: req.backupDir,
        istioNamespace: ns,
        helmReleases: inv.helmReleases.filter((r) => r.component !== 'other').map((r) => ({ release: r.name, namespace: r.namespace })),
      }),
    );
  }

  // CRDs and the base chart come first: a new control plane must find its CRDs.
  const base = method === 'helm' ? byComponent(inv, 'base') : undefined;
  if (notes.needsCrdMigration && !state.crdsHelmOwned && method === 'helm') {
    const unowned = inv.crds.istio.filter((c) => !c.helmOwned).map((c) => c.name);
    if (!base) {
      f.blocker('crd-owner-unknown', 'Istio CRDs are not Helm-owned and no base chart release was found to adopt them; install or identify the base release first');
    } else if (unowned.length) {
      add(crdMigrationLabelsStep({ crds: unowned, baseRelease: base.name, baseNamespace: base.namespace, source: notes.needsCrdMigration.source }), ['crds/helm-owned']);
      touch('crds/helm-owned');
    }
    state.crdsHelmOwned = true;
  }
  if (base && !alreadyAtTarget(base)) {
    add(baseChartUpgradeStep({ release: base.name, namespace: base.namespace, chartRepo: req.chartRepo, version: hop.to, revisionBefore: helmRev(base), settings: settingsFor('base') }), [
      `helm/${base.namespace}/${base.name}/revision`,
      `helm/${base.namespace}/${base.name}/status`,
    ]);
    bumpHelm(base);
  } else if (method === 'helm' && hop.index === 1) {
    f.warning('no-base-release', 'no base chart release found: CRDs will not be upgraded by this plan; upgrade them the way they were installed');
  }

  // The control plane.
  const oldIstiod = state.istiodRelease;
  const istiodValues = notes.chartValues.filter((v) => v.chart === 'istiod');
  if (method === 'istioctl' && istiodValues.length) {
    f.warning('istioctl-values-not-automated', `not automated: add ${istiodValues.map((v) => `${v.path}=${JSON.stringify(v.value)}`).join(', ')} to the IstioOperator file of the new revision (notes ${[...new Set(istiodValues.map((v) => v.noteId))].join(', ')})`);
  }
  if (input.reuse) {
    // An earlier run installed it; its release is what later hops and follow-ups start from.
    if (method === 'helm' && input.reuse.helmRelease) state.istiodRelease = input.reuse.helmRelease;
  } else if (canary) {
    const clearTags = hop.index === 1 && oldIstiod !== null && Array.isArray(inv.helmReleases.find((r) => r.name === oldIstiod.release && r.namespace === oldIstiod.namespace)?.values.revisionTags);
    add(
      istiodInstallStep({
        method,
        namespace: ns,
        chartRepo: req.chartRepo,
        version: hop.to,
        revision: newRevision,
        valuesFrom: method === 'helm' ? oldIstiod : null,
        ambient,
        compatibilityVersion: hop.compatibilityVersion,
        clearCompatibilityVersion: state.compatibilityVersion !== null,
        clearRevisionTags: clearTags,
        settings: method === 'helm' ? settingsFor('istiod') : [],
        operatorFile: method === 'istioctl' ? (req.istioOperatorFile ?? null) : null,
      }),
      oldIstiod ? [`revision/${fromRevision}/version`, `helm/${oldIstiod.namespace}/${oldIstiod.release}/revision`] : [`revision/${fromRevision}/version`],
    );
    if (method === 'helm') state.istiodRelease = { release: istiodReleaseName(newRevision), namespace: ns };
  } else {
    const rel = oldIstiod ? inv.helmReleases.find((r) => r.name === oldIstiod.release && r.namespace === oldIstiod.namespace) : undefined;
    if (!rel) {
      f.blocker('in-place-needs-helm', 'in-place upgrades are planned for Helm-installed istiod only; use the default canary strategy');
    } else {
      const deployment = inv.revisions.find((r) => r.name === fromRevision)?.deployment ?? 'istiod';
      add(
        istiodUpgradeStep({ release: rel.name, namespace: rel.namespace, chartRepo: req.chartRepo, version: hop.to, revision: fromRevision, deployment, revisionBefore: helmRev(rel), compatibilityVersion: hop.compatibilityVersion, settings: settingsFor('istiod') }),
        [`helm/${rel.namespace}/${rel.name}/revision`],
      );
      bumpHelm(rel);
    }
  }
  state.compatibilityVersion = hop.compatibilityVersion;
  touch(`revision/${fromRevision}/version`);

  // Node agents: after istiod, CNI before ztunnel, with the restart between them when a note says so.
  const cni = inv.ambient.cni;
  const cniRel = cni?.helmRelease ? inv.helmReleases.find((r) => r.name === cni.helmRelease!.release && r.namespace === cni.helmRelease!.namespace) : undefined;
  if (cni && cniRel && method === 'helm' && alreadyAtTarget(cniRel) && cni.version === hop.to) {
    // finished by an earlier run
  } else if (cni && cniRel && method === 'helm') {
    add(
      nodeAgentUpgradeStep({ component: 'cni', release: cniRel.name, namespace: cniRel.namespace, daemonSet: cni.name, chartRepo: req.chartRepo, version: hop.to, revision: null, ambient: cni.ambientEnabled, revisionBefore: helmRev(cniRel), settings: settingsFor('cni', cniRel) }),
      [`helm/${cniRel.namespace}/${cniRel.name}/revision`, 'cni/version'],
    );
    bumpHelm(cniRel);
    touch('cni/version');
  } else if (cni && method === 'helm') {
    f.warning('cni-not-helm', `istio-cni ${cni.namespace}/${cni.name} is not managed by a Helm release; upgrade it by hand after istiod`);
  }
  // Ambient pods are restarted where a catalog note puts it; ambient meshes only, never sidecar pods.
  const restartAmbient = (qualifier: string, reason: string, source: string) => {
    const targets = ambientWorkloads(inv);
    if (!targets.length) return;
    add(workloadRestartStep({ qualifier, reason, source, workloads: targets, batchSize: req.restartBatchSize, expectRevision: null, expectProxyVersion: null, unrestartable: [] }));
  };
  if (notes.restartBetweenCniAndZtunnel && ambient) {
    restartAmbient('ambient-dns', 'in ambient namespaces between the istio-cni and ztunnel upgrades (DNS capture)', notes.restartBetweenCniAndZtunnel.source);
  }
  const zt = inv.ambient.ztunnel;
  const ztRel = zt?.helmRelease ? inv.helmReleases.find((r) => r.name === zt.helmRelease!.release && r.namespace === zt.helmRelease!.namespace) : undefined;
  if (zt && ztRel && method === 'helm' && alreadyAtTarget(ztRel) && zt.version === hop.to) {
    // finished by an earlier run
  } else if (zt && ztRel && method === 'helm') {
    add(
      nodeAgentUpgradeStep({ component: 'ztunnel', release: ztRel.name, namespace: ztRel.namespace, daemonSet: zt.name, chartRepo: req.chartRepo, version: hop.to, revision: canary ? newRevision : zt.revision, ambient: true, revisionBefore: helmRev(ztRel), settings: settingsFor('ztunnel', ztRel) }),
      [`helm/${ztRel.namespace}/${ztRel.name}/revision`, 'ztunnel/version'],
    );
    bumpHelm(ztRel);
    touch('ztunnel/version');
  } else if (zt && method === 'helm') {
    f.warning('ztunnel-not-helm', `ztunnel ${zt.namespace}/${zt.name} is not managed by a Helm release; upgrade it by hand after istio-cni`);
  }
  const after = notes.restartAfterZtunnel;
  // A compatibility profile that reverts the change also removes the reason to restart.
  if (after && ambient && !(hop.compatibilityVersion && after.compatibilityRevertible)) {
    restartAmbient('ambient-after-ztunnel', 'in ambient namespaces after the ztunnel upgrade', after.source);
  }

  const helmGatewayDeployments = new Set(inv.gateways.filter((g) => g.type === 'helm').map((g) => `${g.namespace}/${g.name}`));
  const restarted = new Set<string>();
  const restartNamespaces = (namespaces: string[], qualifier: string, reason: string) => {
    const { targets, unrestartable } = sidecarWorkloads(inv, new Set(namespaces), helmGatewayDeployments);
    if (!targets.length) return;
    targets.forEach((t) => restarted.add(`${t.namespace}/${t.name}`));
    add(workloadRestartStep({ qualifier, reason, workloads: targets, batchSize: req.restartBatchSize, expectRevision: newRevision, expectProxyVersion: hop.to, unrestartable }));
  };

  if (canary && fromRevision !== newRevision) {
    // Namespaces pinned to the old revision by name, and istio-injection=enabled namespaces served by a revision-less istiod with no default tag.
    const pinned = [...state.namespaceRevLabels].filter(([, v]) => v === fromRevision).map(([n]) => n).sort();
    if (pinned.length) {
      add(
        namespaceRelabelStep({ namespaces: pinned, labels: { 'istio.io/rev': newRevision }, previous: { 'istio.io/rev': fromRevision }, reason: `labelled istio.io/rev=${fromRevision} directly, so no tag move reaches them`, qualifier: `rev-${fromRevision}` }),
        pinned.map((n) => `namespace/${n}/revision-label`),
      );
      pinned.forEach((n) => state.namespaceRevLabels.set(n, newRevision));
      restartNamespaces(pinned, `ns-rev-${fromRevision}`, `in namespaces relabelled from ${fromRevision}`);
    }
    if (fromRevision === 'default' && !state.tags.has('default')) {
      const injected = [...state.namespaceInjection].filter(([, v]) => v === 'enabled').map(([n]) => n).sort();
      if (injected.length) {
        add(
          namespaceRelabelStep({
            namespaces: injected,
            labels: { 'istio-injection': null, 'istio.io/rev': newRevision },
            previous: { 'istio-injection': 'enabled', 'istio.io/rev': null },
            reason: 'served by the revision-less istiod through istio-injection=enabled; without a default tag they must name the new revision',
            qualifier: 'injection-enabled',
          }),
          injected.map((n) => `namespace/${n}/revision-label`),
        );
        injected.forEach((n) => {
          state.namespaceInjection.set(n, null);
          state.namespaceRevLabels.set(n, newRevision);
        });
        restartNamespaces(injected, 'ns-injection-enabled', 'in namespaces moved off istio-injection=enabled');
      }
    }

    const tagsToMove = [...state.tags].filter(([, rev]) => rev === fromRevision).map(([t]) => t);
    const nsFor = (tag: string) =>
      [...state.namespaceRevLabels].filter(([n, v]) => v === tag || (tag === 'default' && state.namespaceInjection.get(n) === 'enabled')).map(([n]) => n).sort();
    const order = orderTags(tagsToMove, nsFor, req.tagOrder);
    const fromVersion = hop.from;
    for (const tag of order) {
      const namespaces = nsFor(tag);
      const following = [...inv.gateways.filter((g) => g.type === 'gateway-api'), ...inv.waypoints.map((w) => ({ ...w, type: 'waypoint' }))]
        .filter((g) => (g.revision ?? 'default') === tag)
        .map((g) => `${g.namespace}/${g.name}`);
      add(
        tagMoveStep({
          method,
          tag,
          namespace: ns,
          chartRepo: req.chartRepo,
          from: { revision: fromRevision, version: fromVersion, templates: revisionTagTemplates(fromVersion) },
          to: { revision: newRevision, version: hop.to, templates: revisionTagTemplates(hop.to) },
          namespaces,
          gatewaysFollowing: following,
        }),
        [`tag/${tag}/revision`],
      );
      state.tags.set(tag, newRevision);
      touch(`tag/${tag}/revision`);
      restartNamespaces(namespaces, `tag-${tag}`, `in namespaces using tag ${tag}`);
    }
    const otherTags = [...state.tags].filter(([, rev]) => rev !== fromRevision && rev !== newRevision);
    if (hop.index === 1 && otherTags.length) {
      f.warning('tags-left-alone', `tags pointing at other revisions are not moved: ${otherTags.map(([t, r]) => `${t} → ${r}`).join(', ')}`);
    }
  } else if (fromRevision === newRevision && input.reuse) {
    // Finishing on the same revision: restart what still runs an older proxy of it.
    const namespaces = [...new Set(inv.dataPlane.proxies.filter((p) => p.revision === newRevision && p.version !== null && p.version !== hop.to).map((p) => p.namespace))];
    restartNamespaces(namespaces, `rev-${newRevision}-lagging`, `still running an older proxy of ${newRevision}`);
  } else {
    const namespaces = inv.dataPlane.namespaces.filter((n) => n.effectiveRevision === fromRevision).map((n) => n.name);
    restartNamespaces(namespaces, `rev-${fromRevision}`, `served by the upgraded revision ${fromRevision}`);
  }

  for (const g of inv.gateways) {
    if (g.type === 'gateway-api' && hop.index === 1) {
      f.warning('gateway-api-gateway-rolls', `Gateway API gateway ${g.namespace}/${g.name} is deployed by istiod and rolls as soon as its tag moves, not in a gateway step`, { source: 'istio/istio#59959' });
    }
    if (g.type === 'deployment' && hop.index === 1) {
      f.warning('gateway-not-helm', `gateway ${g.namespace}/${g.name} is not a Helm gateway release; after the tags move, restart it (kubectl rollout restart deployment/${g.name} -n ${g.namespace}) or upgrade it with the tool that installed it`);
    }
    if (g.type !== 'helm' || !g.helmRelease || method !== 'helm') continue;
    const rel = inv.helmReleases.find((r) => r.name === g.helmRelease!.release && r.namespace === g.helmRelease!.namespace);
    if (!rel) continue;
    const relKey = key(rel.namespace, rel.name);
    const follow = gatewayFollows(state.gatewayPins.get(relKey) ?? (typeof rel.values.revision === 'string' && rel.values.revision ? rel.values.revision : null), state, fromRevision, newRevision, canary);
    if (follow.pin) state.gatewayPins.set(relKey, follow.pin);
    if (alreadyAtTarget(rel) && (follow.pin === null || rel.values.revision === follow.pin) && g.version === hop.to) continue;
    if (follow.revision !== newRevision) {
      state.gatewaysOnOld.add(`${g.namespace}/${g.name}`);
      f.warning('gateway-stays-on-old-revision', `gateway ${g.namespace}/${g.name} follows ${follow.revision}, not the new revision ${newRevision}: its pods keep the ${follow.revision} proxy`);
    } else {
      state.gatewaysOnOld.delete(`${g.namespace}/${g.name}`);
      // Upgrading the chart rolls the gateway's pods, which are then injected by the new revision.
      restarted.add(`${g.namespace}/${g.name}`);
    }
    add(
      gatewayUpgradeStep({
        release: rel.name,
        namespace: rel.namespace,
        deployment: g.name,
        chartRepo: req.chartRepo,
        version: hop.to,
        revisionBefore: helmRev(rel),
        pinRevision: follow.pin,
        expect: follow.revision === newRevision ? { revision: newRevision, proxyVersion: hop.to } : null,
        settings: settingsFor('gateway', rel),
      }),
      [`helm/${rel.namespace}/${rel.name}/revision`],
    );
    bumpHelm(rel);
  }

  if (canary && fromRevision !== newRevision) planRemoval(input, fromRevision, newRevision, restarted, add, base);
  state.revision = newRevision;
  state.version = hop.to;
  return steps;
}

/**
 * Which revision a Helm gateway's pods are injected by after this hop, and the revision to pin it to. A gateway
 * pinned to the old revision, or one left to the default injector while no `default` tag reaches the new revision
 * (a revision-less istiod keeps injecting through `istio-sidecar-injector`), is pinned to the new revision;
 * otherwise re-injection would give it the old proxy and the old istiod could never be removed.
 */
function gatewayFollows(pin: string | null, state: PlanState, fromRevision: string, newRevision: string, canary: boolean): { revision: string; pin: string | null } {
  if (!canary) return { revision: newRevision, pin: null };
  if (pin === null) {
    const viaDefault = state.tags.get('default') ?? 'default';
    return viaDefault === newRevision ? { revision: newRevision, pin: null } : { revision: newRevision, pin: newRevision };
  }
  if (pin === fromRevision) return { revision: newRevision, pin: newRevision };
  return { revision: state.tags.get(pin) ?? pin, pin: null };
}

/** Tags an istiod release renders itself (its `revisionTags` value). */
function releaseRenderedTags(inv: Inventory, ref: { release: string; namespace: string } | null): string[] {
  if (!ref) return [];
  const values = inv.helmReleases.find((r) => r.name === ref.release && r.namespace === ref.namespace)?.values.revisionTags;
  return Array.isArray(values) ? values.filter((t): t is string => typeof t === 'string') : [];
}

function orderTags(tags: string[], nsFor: (t: string) => string[], explicit: string[] | undefined): string[] {
  const byDefault = [...tags].sort((a, b) => (a === 'default' ? 1 : 0) - (b === 'default' ? 1 : 0) || nsFor(a).length - nsFor(b).length || a.localeCompare(b));
  if (!explicit?.length) return byDefault;
  const first = explicit.filter((t) => tags.includes(t));
  return [...first, ...byDefault.filter((t) => !first.includes(t))];
}

/** Plans removal of the old revision only when nothing can still be using it once this hop is done. */
function planRemoval(input: ComposeInput, oldRevision: string, newRevision: string, restarted: Set<string>, add: (b: BuiltStep, p?: string[]) => void, base: HelmRelease | undefined): void {
  const { inv, req, state, f, method, followUps, hop } = input;
  const ns = inv.istioNamespace;
  const reasons: string[] = [];
  if ([...state.tags.values()].includes(oldRevision)) reasons.push(`tags still point at it (${[...state.tags].filter(([, r]) => r === oldRevision).map(([t]) => t).join(', ')})`);
  if ([...state.namespaceRevLabels.values()].includes(oldRevision)) reasons.push('namespaces are still labelled with it');
  // Pods from earlier hops were restarted onto the previous new revision, so only hop 1 sees the inventory's pods.
  const remaining = hop.index === 1 ? inv.dataPlane.workloads.filter((w) => w.mode === 'sidecar' && w.revision === oldRevision && !restarted.has(`${w.namespace}/${w.name}`)) : [];
  const gatewaysPinned = inv.gateways.filter((g) => (g.revision === oldRevision && g.type !== 'helm') || state.gatewaysOnOld.has(`${g.namespace}/${g.name}`));
  if (remaining.length) reasons.push(`${remaining.reduce((s, w) => s + w.pods, 0)} pod(s) would still run its proxy (${remaining.slice(0, 5).map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')})`);
  if (gatewaysPinned.length) reasons.push(`gateways are pinned to it (${gatewaysPinned.map((g) => `${g.namespace}/${g.name}`).join(', ')})`);
  if (oldRevision === newRevision) throw new Error('refusing to plan removal of the new revision');

  const oldRel = inv.revisions.find((r) => r.name === oldRevision)?.helmRelease ?? null;
  const istiodRelease = hop.index === 1 ? (oldRel?.release ?? null) : `istiod-${oldRevision}`;
  const defaultsOnOld = inv.defaults.validatorRevision === oldRevision || inv.defaults.baseDefaultRevision === oldRevision || (hop.index > 1 && base !== undefined);
  const moveDefaultFirst = base && defaultsOnOld ? { baseRelease: base.name, baseNamespace: base.namespace, version: hop.to } : null;
  const ownedTags = hop.index === 1 && method === 'helm' ? releaseRenderedTags(inv, oldRel).filter((t) => state.tags.get(t) === newRevision) : [];
  const recreateTags = ownedTags.length
    ? {
        tags: ownedTags,
        commands: ownedTags.flatMap((tag) =>
          tagPointCommands({ method, tag, namespace: ns, chartRepo: req.chartRepo }, { revision: newRevision, version: hop.to, templates: revisionTagTemplates(hop.to) }),
        ),
      }
    : null;
  if (recreateTags) {
    f.warning('tags-owned-by-old-release', `tags ${ownedTags.join(', ')} are rendered by Helm release ${oldRel!.release}; removing it deletes them, so the removal step re-creates them for ${newRevision} immediately after`);
  }
  const removal = oldRevisionRemovalStep({ method, oldRevision, newRevision, namespace: ns, istiodRelease, chartRepo: req.chartRepo, moveDefaultFirst, recreateTags });

  if (!req.includeCleanup || reasons.length) {
    if (reasons.length) f.warning('old-revision-in-use', `revision ${oldRevision} cannot be removed by this plan: ${reasons.join('; ')}`);
    followUps.push({ id: `h${hop.index}-remove-${oldRevision}`, title: `When nothing uses revision ${oldRevision} any more, remove it (irreversible; plan with --include-cleanup to include it)`, commands: removal.commands.map((c) => c.argv) });
    return;
  }
  add(removal, []);
  if (moveDefaultFirst && base) state.helmRevisions.set(`${base.namespace}/${base.name}`, (state.helmRevisions.get(`${base.namespace}/${base.name}`) ?? base.revision) + 1);
}
