import semver from 'semver';
import type { Inventory } from '../../k8s/inventory.js';
import type { Plan, PlanStep } from '../../plan/schema.js';
import { byHand } from '../../plan/by-hand.js';
import { baseChartUpgradeStep } from '../../steps/base-chart-upgrade.js';
import { chartSourceFor } from '../../steps/commands.js';
import { crdMigrationLabelsStep } from '../../steps/crd-migration-labels.js';
import { gatewayUpgradeStep } from '../../steps/gateway-upgrade.js';
import { namespaceRelabelStep } from '../../steps/namespace-relabel.js';
import { finishStep, type BuiltStep } from '../../steps/types.js';
import { remoteInjectorInstallStep, UPGRADE_NOTES_1_24 } from '../../steps/remote-injector-install.js';
import { remoteInjectorRemovalStep } from '../../steps/remote-injector-removal.js';
import { workloadRestartStep, type RestartTarget } from '../../steps/workload-restart.js';
import { Findings } from '../planner/findings.js';
import type { PlanRequest } from '../planner/request.js';
import { planSkeleton } from '../planner/skeleton.js';

/** What a remote follows: the version and revision its primary's plan ends on. */
export interface RemoteTarget {
  primary: string;
  version: string;
  revision: string;
}

/**
 * The plan of a remote cluster: it runs no istiod, so the single-cluster planner has nothing to upgrade there. Its
 * steps move the remote onto the primary's new revision: base chart (and, from 1.24, the CRD ownership labels), a
 * remote-profile install for the new revision — from 1.24 the `istiod` chart with profile=remote, converted from an
 * `istiod-remote` release with its values carried over —, the namespaces relabelled onto that revision and their
 * workloads restarted (which proves the primary's injector answers for this remote), the remote's gateways, and
 * with --include-cleanup the old remote install.
 */
export function planRemote(inv: Inventory, target: RemoteTarget, req: PlanRequest): Plan {
  const f = new Findings();
  const ns = inv.istioNamespace;
  const installs = inv.mesh?.remoteInstalls ?? [];
  const current = installs.find((i) => i.revision !== target.revision) ?? installs[0];
  // A remote carries sidecars only: it has no istio-cni/ztunnel of its own to make it ambient.
  const base = planSkeleton({ ...inv, mode: 'sidecar' }, { ...req, strategy: 'canary' }, f, { version: current?.version ?? 'unknown', revision: current?.revision ?? 'none' }, { version: target.version, revision: target.revision, known: true });
  if (!current) {
    f.blocker('remote-install-missing', `no remote-profile install (istiod-remote chart, or istiod with profile=remote) was found in ${ns}`);
    return base;
  }
  if (installs.some((i) => i.revision === target.revision) && current.revision === target.revision) return { ...base, upToDate: true };
  if (!current.helmRelease) {
    f.blocker('remote-not-helm', `the remote install of revision ${current.revision} is not a Helm release (istioctl remote profile?): only Helm remote installs are planned; reinstall it with the ${target.version} remote profile by hand`);
    return base;
  }
  const from = current.version ?? '0.0.0';
  const converts = semver.gte(target.version, '1.24.0') && current.chart === 'istiod-remote';
  base.hops = [{ index: 1, from, to: target.version, fromRevision: current.revision, revision: target.revision, compatibilityVersion: null, compatibilityReason: null }];
  const built: BuiltStep[] = [];
  const charts = chartSourceFor(req.chartRepo);

  const baseRelease = inv.helmReleases.find((r) => r.component === 'base' && r.namespace === ns) ?? inv.helmReleases.find((r) => r.component === 'base');
  if (!baseRelease) {
    if (semver.gte(target.version, '1.24.0')) f.blocker('remote-base-missing', `remote has no istio-base release: from 1.24 the base chart is required in remote clusters too (${UPGRADE_NOTES_1_24})`);
  } else {
    const unowned = inv.crds.istio.filter((c) => !c.helmOwned).map((c) => c.name);
    if (semver.gte(target.version, '1.24.0') && semver.lt(from, '1.24.0') && unowned.length) {
      built.push(crdMigrationLabelsStep({ crds: unowned, baseRelease: baseRelease.name, baseNamespace: baseRelease.namespace, source: 'istio.io news/releases/1.24.x/announcing-1.24/upgrade-notes' }));
    }
    built.push(
      baseChartUpgradeStep({
        release: baseRelease.name,
        namespace: baseRelease.namespace,
        charts,
        version: target.version,
        settings: semver.gte(target.version, '1.24.0') ? [{ path: 'profile', value: 'remote' }] : [],
        source: 'istio manifests/helm-profiles/remote.yaml: the base and istiod charts of a remote are installed with profile=remote',
      }),
    );
  }
  built.push(remoteInjectorInstallStep({ current, primary: target.primary, version: target.version, revision: target.revision, namespace: ns, charts, converts }));

  const oldRev = current.revision;
  const moving = inv.dataPlane.namespaces.filter((n) => n.effectiveRevision === oldRev && (n.injection === 'enabled' || n.revisionLabel === oldRev));
  // One step per set of previous labels, so each step's rollback restores exactly what its namespaces had.
  const groups = new Map<string, typeof moving>();
  for (const n of moving) {
    const key = JSON.stringify([n.injection, n.revisionLabel]);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  [...groups.values()].forEach((group, i) =>
    built.push(
      namespaceRelabelStep({
        namespaces: group.map((n) => n.name),
        labels: { 'istio-injection': null, 'istio.io/rev': target.revision },
        previous: { 'istio-injection': group[0]!.injection, 'istio.io/rev': group[0]!.revisionLabel },
        reason: `These namespaces are injected by the remote install of ${oldRev}; labelling them istio.io/rev=${target.revision} hands them to the new revision of ${target.primary}.`,
        qualifier: groups.size > 1 ? `remote-${i + 1}` : 'remote',
      }),
    ),
  );
  const names = new Set(moving.map((n) => n.name));
  const onOld = inv.dataPlane.workloads.filter((w) => names.has(w.namespace) && w.mode === 'sidecar' && w.revision === oldRev);
  const byRollout = (w: (typeof onOld)[number]): w is typeof w & { kind: RestartTarget['kind'] } => w.restartable && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(w.kind);
  const restartable = onOld.filter(byRollout);
  const stuck = onOld.filter((w) => !byRollout(w)).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
  if (restartable.length) {
    built.push(
      workloadRestartStep({
        qualifier: 'remote',
        reason: `onto ${target.primary}'s revision ${target.revision} (the restarted pods prove its injector answers for this cluster)`,
        workloads: restartable.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, pods: w.pods })),
        batchSize: req.restartBatchSize,
        expectRevision: target.revision,
        expectProxyVersion: target.version,
        unrestartable: stuck,
      }),
    );
  }
  for (const g of inv.gateways.filter((x) => x.type === 'helm' && x.helmRelease)) {
    const rel = inv.helmReleases.find((r) => r.name === g.helmRelease!.release && r.namespace === g.helmRelease!.namespace);
    if (!rel) continue;
    built.push(
      gatewayUpgradeStep({
        release: rel.name,
        namespace: rel.namespace,
        deployment: g.name,
        charts,
        version: target.version,
        pinRevision: target.revision,
        expect: { revision: target.revision, proxyVersion: target.version },
      }),
    );
  }
  const removal = remoteInjectorRemovalStep(current, ns);
  if (stuck.length) {
    f.warning('remote-old-revision-in-use', `pods that no rollout replaces still use ${oldRev}: ${stuck.join(', ')}; the old remote install and ${target.primary}'s old revision stay until they are recreated`);
  } else if (req.includeCleanup) {
    built.push(removal);
  } else {
    base.followUps.push({ id: 'remove-old-remote-install', title: `When nothing in this cluster uses ${oldRev} any more, remove the old remote install (irreversible; plan with --include-cleanup to include it)`, commands: byHand(removal.commands) });
  }
  if (inv.tags.length) f.warning('remote-tags-not-moved', `revision tags on the remote (${inv.tags.map((t) => t.name).join(', ')}) are not moved by this plan: move them with istioctl tag set --revision ${target.revision} after the new remote install`);
  base.steps = built.map((b): PlanStep => finishStep({ hop: 1, preconditions: [] }, b));
  return base;
}
