import semver from 'semver';
import type { Inventory, Revision } from '../../k8s/inventory.js';
import { gatewayApiFor, isEol, kubernetesSupport, nearestSupportedAfter, securityFixesMissing, upgradePolicy } from '../catalog/index.js';
import type { Findings } from './findings.js';
import type { HopVersions } from './hops.js';
import { minorOf } from '../../util/version.js';
import { isPendingRelease } from '../../k8s/helm-release.js';


/** Checks that do not come from a single upgrade note: cluster state, skew, install method. */
export function preflightChecks(inv: Inventory, source: Revision, hops: HopVersions[], strategy: 'canary' | 'in-place', now: Date, f: Findings, chartRepo = ''): void {
  const policy = upgradePolicy();
  for (const hop of hops) {
    try {
      const k = kubernetesSupport(hop.to, inv.cluster.kubernetesVersion);
      if (k.belowMin) {
        f.blocker('kubernetes-too-old', `Kubernetes ${inv.cluster.kubernetesVersion} is below the minimum ${k.range.min} supported by Istio ${minorOf(hop.to)} (supported ${k.range.min}–${k.range.max}); upgrade Kubernetes first`, {
          source: 'istio.io docs/releases/supported-releases',
        });
      } else if (k.aboveMax) {
        f.warning('kubernetes-above-tested', `Kubernetes ${inv.cluster.kubernetesVersion} is newer than the newest version Istio ${minorOf(hop.to)} supports (${k.range.max})`, {
          source: 'istio.io docs/releases/supported-releases',
        });
      }
    } catch {
      f.warning('kubernetes-support-unknown', `no Kubernetes support data for Istio ${hop.to}`);
    }
  }
  const last = hops[hops.length - 1]!;
  targetAdvice(last.to, now, f);
  artifactHosting(inv, chartRepo, f);

  for (const rel of inv.helmReleases) {
    if (!isPendingRelease(rel)) continue;
    const good = rel.lastGoodRevision;
    f.blocker('helm-release-pending', `Helm release ${rel.namespace}/${rel.name} is stuck in ${rel.status} at revision ${rel.revision} (Secret ${rel.secretName}); Helm refuses every further operation on it`, {
      remedy: good
        ? [`helm rollback ${rel.name} ${good} -n ${rel.namespace}`, `or, if the rollback is refused: kubectl delete secret ${rel.secretName} -n ${rel.namespace}`]
        : [`helm uninstall ${rel.name} -n ${rel.namespace}  (no earlier good revision exists)`],
    });
  }

  switch (inv.installMethod) {
    case 'operator':
      f.blocker('install-method-operator', 'the mesh is managed by the in-cluster IstioOperator controller; migrate it to Helm or istioctl first', {
        source: 'istio.io blog/2024/in-cluster-operator-deprecation-announcement',
        remedy: ['istioctl manifest translate -f <your IstioOperator>.yaml  (1.24+), then install with Helm'],
      });
      break;
    case 'sail':
      f.blocker('install-method-sail', 'the mesh is managed by the Sail Operator: upgrade it by changing spec.version of its Istio resource, not with istio-upgrade');
      break;
    case 'mixed':
      f.blocker('install-method-mixed', `control-plane revisions were installed by different tools (${inv.revisions.map((r) => `${r.name}: ${r.installMethod}`).join(', ')}); unify them first`);
      break;
    case 'unknown':
      f.blocker('install-method-unknown', `cannot tell how istiod ${source.name} was installed (no Helm release record and no istioctl labels)`);
      break;
  }
  if (inv.operators.inCluster.deployments.length && inv.installMethod !== 'operator') {
    f.warning('in-cluster-operator-present', `the in-cluster operator is still deployed (${inv.operators.inCluster.deployments.map((d) => `${d.namespace}/${d.name}`).join(', ')}); it may fight the upgrade — scale it to 0 or remove it`);
  }
  if (policy.ambientUmbrellaChart.upgradeAsWholeOnly && inv.helmReleases.some((r) => r.component === 'ambient')) {
    f.blocker('ambient-umbrella-chart', 'ambient is installed through the umbrella `ambient` chart, which can only be upgraded as a whole; istio-upgrade plans component-wise upgrades', {
      source: policy.ambientUmbrellaChart.source,
      remedy: ['helm upgrade <release> istio/ambient -n <namespace> --version <next minor> --wait   (one minor at a time)'],
    });
  }

  for (const r of inv.revisions) {
    if (r.deployment && r.health !== 'healthy' && r.health !== 'unknown') {
      f.blocker('revision-unhealthy', `istiod of revision ${r.name} is ${r.health} (${r.rollout?.ready ?? 0}/${r.rollout?.desired ?? 0} ready); fix it before upgrading`);
    }
  }
  for (const t of inv.tags) {
    if (t.conflicting) f.blocker('tag-conflict', `tag ${t.name}: its webhook and its Service point at different revisions (IST0139); resolve with istioctl tag set ${t.name} --revision <rev> --overwrite`);
    if (!inv.revisions.some((r) => r.name === t.revision)) f.blocker('tag-dangling', `tag ${t.name} points at revision ${t.revision}, which is not installed; pods injected through it will fail`);
  }
  const d = inv.defaults;
  if (!d.consistent) {
    f.warning('default-pointers-disagree', `the default tag (${d.tagRevision ?? 'none'}), istiod-default-validator (${d.validatorRevision ?? 'none'}) and base defaultRevision (${d.baseDefaultRevision ?? 'unset'}) disagree; the plan moves the default tag, and cleanup moves the validator`, {
      source: 'istio/istio#58578',
    });
  }

  const skew = policy.controlPlaneDataPlaneSkew;
  nodeAgentSkew(inv, source, f);
  const revVersion = new Map(inv.revisions.map((r) => [r.name, r.version]));
  for (const p of inv.dataPlane.proxies) {
    const cp = revVersion.get(p.revision);
    if (!p.version || !semver.valid(p.version)) continue;
    if (cp && semver.valid(cp) && semver.gt(p.version, cp) && !skew.dataPlaneAheadAllowed) {
      f.blocker('data-plane-ahead', `${p.count} proxy(ies) in ${p.namespace} run ${p.version}, newer than their control plane ${p.revision} (${cp}); the data plane cannot be ahead of the control plane`);
    }
    if (cp && semver.valid(cp) && semver.minor(cp) - semver.minor(p.version) > skew.controlPlaneAheadMaxMinors) {
      f.blocker('proxies-too-old', `${p.count} proxy(ies) in ${p.namespace} run ${p.version}, more than ${skew.controlPlaneAheadMaxMinors} minor(s) behind their control plane ${p.revision} (${cp}); restart them before upgrading further`, {
        source: skew.source,
      });
    }
    if (strategy === 'in-place' && p.revision === source.name && semver.minor(hops[0]!.to) - semver.minor(p.version) > skew.controlPlaneAheadMaxMinors) {
      f.blocker('proxies-too-old-for-in-place', `${p.count} proxy(ies) in ${p.namespace} run ${p.version}; after upgrading ${source.name} in place to ${hops[0]!.to} they would be more than one minor behind — restart them first`);
    }
    if (!revVersion.has(p.revision)) f.warning('proxies-of-missing-revision', `${p.count} pod(s) in ${p.namespace} were injected by revision ${p.revision}, which is no longer installed`);
  }
  const stuck = inv.dataPlane.workloads.filter((w) => w.mode === 'sidecar' && !w.restartable);
  if (stuck.length) {
    f.warning('unrestartable-pods', `${stuck.reduce((s, w) => s + w.pods, 0)} injected pod(s) cannot be restarted by a rollout and keep their old proxy until recreated: ${stuck.map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')}`);
  }

  const gw = inv.crds.gatewayApi;
  if (gw.present && gw.bundleVersion && semver.valid(semver.coerce(gw.bundleVersion))) {
    const bundle = semver.coerce(gw.bundleVersion)!.version;
    const bounds = gatewayApiFor(last.to);
    if (bounds?.minBundle && semver.lt(bundle, semver.coerce(bounds.minBundle)!.version)) {
      f.blocker('gateway-api-too-old', `Gateway API CRDs ${gw.bundleVersion} are older than Istio ${minorOf(last.to)} reads (${bounds.minBundle}+); upgrade the Gateway API CRDs first`);
    }
    for (const b of bounds?.crdBounds ?? []) {
      if (!gw.crds.some((c) => c.name === b.crd)) continue;
      if ((b.min && semver.lt(bundle, semver.coerce(b.min)!.version)) || (b.max && semver.gt(bundle, semver.coerce(b.max)!.version))) {
        f.warning('gateway-api-crd-out-of-bounds', `Istio ${last.to} ignores ${b.crd} at bundle ${gw.bundleVersion} (accepts ${b.min ?? 'any'}–${b.max ?? 'any'})`);
      }
    }
  }
}

/** An end-of-life target, or one that lacks a later patch's security fix, gets a warning naming the alternative. */
function targetAdvice(target: string, now: Date, f: Findings): void {
  if (isEol(minorOf(target), now)) {
    const alternative = nearestSupportedAfter(minorOf(target), now);
    f.warning('target-eol', `Istio ${minorOf(target)} is end-of-life and gets no more security fixes${alternative ? `; plan --to ${alternative} (supported) instead` : ''}`, {
      source: upgradePolicy().supportWindow.source,
      ...(alternative ? { remedy: [`istio-upgrade plan --to ${alternative}`] } : {}),
    });
  }
  const missing = securityFixesMissing(target);
  if (missing.length) {
    const newest = missing.map((m) => m.patch).sort(semver.compare).at(-1)!;
    f.warning('target-lacks-security-fix', `Istio ${target} lacks ${missing.map((m) => `${m.advisory} (fixed in ${m.patch}: ${m.summary})`).join('; ')}; plan --to ${newest} instead`, {
      source: missing.map((m) => m.source).join('; '),
      remedy: [`istio-upgrade plan --to ${newest}`],
    });
  }
}

/** istio-cni and ztunnel must stay within the supported distance behind istiod before another hop starts. */
function nodeAgentSkew(inv: Inventory, source: Revision, f: Findings): void {
  const policy = upgradePolicy().ambient;
  const cp = semver.valid(source.version ?? '') ? source.version! : undefined;
  if (!cp) return;
  for (const agent of [inv.ambient.cni, inv.ambient.ztunnel]) {
    const v = agent?.version?.replace(/^v/, '');
    if (!agent || !v || !semver.valid(v)) continue;
    if (semver.minor(cp) - semver.minor(v) > policy.nodeComponentMaxSkewMinors) {
      f.blocker('node-agent-too-old', `${agent.namespace}/${agent.name} runs ${v}, more than ${policy.nodeComponentMaxSkewMinors} minor(s) behind istiod ${source.name} (${cp}); upgrade it to ${minorOf(cp)} first`, { source: policy.source });
    }
  }
}

/** Istio no longer publishes to the retired registries and chart repositories, for every version. */
function artifactHosting(inv: Inventory, chartRepo: string, f: Findings): void {
  const rule = upgradePolicy().artifactHosting;
  const images = inv.revisions.map((r) => r.image).filter((i): i is string => !!i && rule.retiredRegistries.some((host) => i.startsWith(`${host}/`)));
  if (images.length) {
    f.warning('retired-image-registry', `istiod runs images from a retired registry (${[...new Set(images)].join(', ')}); Istio publishes images only to ${rule.images} now: set the hub (global.hub=${rule.images}) for the new revision`, { source: rule.source });
  }
  if (rule.retiredChartRepositories.some((host) => chartRepo.includes(host))) {
    f.blocker('retired-chart-repository', `chart repository ${chartRepo} is retired; use ${rule.helmRepository} or ${rule.ociCharts}`, { source: rule.source });
  }
}
