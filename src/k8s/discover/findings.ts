import semver from 'semver';
import type { Finding, Inventory } from '../inventory.js';
import { minorNumber } from '../../util/version.js';
import { currentRevision, describeStragglers, findStragglers, groupStragglers } from '../stragglers.js';
import { isPendingRelease } from '../helm-release.js';

type Draft = Omit<Inventory, 'findings'>;

const knownMinor = (v: string | null): number | null => (v && semver.coerce(v) ? minorNumber(v) : null);

/** Problems worth a human's attention, found by looking at the inventory alone. */
export function buildFindings(inv: Draft, helmDecodeErrors: string[]): Finding[] {
  const out: Finding[] = [];
  const add = (id: string, severity: Finding['severity'], message: string) => out.push({ id, severity, message });

  for (const rel of inv.helmReleases) {
    if (isPendingRelease(rel)) {
      const good = rel.lastGoodRevision;
      add(
        'helm-release-stuck',
        'error',
        `Helm release ${rel.namespace}/${rel.name} is stuck in ${rel.status} at revision ${rel.revision} (Secret ${rel.secretName}); ` +
          (good ? `last good revision is ${good}: helm rollback ${rel.name} ${good} -n ${rel.namespace}` : 'no earlier good revision exists'),
      );
    } else if (rel.status === 'failed') {
      add('helm-release-failed', 'warning', `Helm release ${rel.namespace}/${rel.name} revision ${rel.revision} is in status failed`);
    }
  }
  for (const e of helmDecodeErrors) add('helm-release-unreadable', 'warning', e);

  if (inv.pluggedInCa?.state === 'incomplete') {
    add(
      'cacerts-incomplete',
      'warning',
      `Secret ${inv.istioNamespace}/cacerts holds ${inv.pluggedInCa.keys.join(', ') || 'no key'}, neither whole bundle (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem; or tls.crt, tls.key, ca.crt): istiod before 1.26 ignores it and signs with its self-signed CA, istiod 1.26+ refuses to start`,
    );
  }

  const d = inv.defaults;
  if (!d.consistent) {
    add(
      'default-revision-mismatch',
      'warning',
      `default pointers disagree: default tag → ${d.tagRevision ?? 'none'}, istiod-default-validator → ${d.validatorRevision ?? 'none'}` +
        (d.baseDefaultRevision !== null ? `, base defaultRevision → ${d.baseDefaultRevision}` : ''),
    );
  }
  for (const t of inv.tags) {
    if (t.conflicting) add('tag-conflict', 'warning', `tag ${t.name}: its webhook and its Service point at different revisions`);
    if (!inv.revisions.some((r) => r.name === t.revision)) add('tag-dangling', 'error', `tag ${t.name} points at revision ${t.revision}, which is not installed`);
  }
  for (const r of inv.revisions) {
    if (!r.deployment) add('revision-without-istiod', 'warning', `revision ${r.name} has an injector webhook but no istiod Deployment`);
    else if (r.health !== 'healthy') add('revision-unhealthy', 'error', `istiod of revision ${r.name} is ${r.health} (${r.rollout?.ready ?? 0}/${r.rollout?.desired ?? 0} ready)`);
  }
  const revNames = new Set(inv.revisions.map((r) => r.name));
  const tagNames = new Set(inv.tags.map((t) => t.name));
  for (const n of inv.dataPlane.namespaces) {
    if (n.injection && n.revisionLabel) add('namespace-multiple-injection-labels', 'warning', `namespace ${n.name} has both istio-injection and istio.io/rev labels (IST0123); istio-injection wins`);
    if (n.revisionLabel && !revNames.has(n.revisionLabel) && !tagNames.has(n.revisionLabel)) {
      add('namespace-unknown-revision', 'warning', `namespace ${n.name} is labelled istio.io/rev=${n.revisionLabel}, which is neither a revision nor a tag`);
    }
  }

  const revVersion = new Map(inv.revisions.map((r) => [r.name, r.version]));
  const orphaned = new Map<string, number>();
  const behind: string[] = [];
  const ahead: string[] = [];
  for (const p of inv.dataPlane.proxies) {
    if (!revNames.has(p.revision)) orphaned.set(p.revision, (orphaned.get(p.revision) ?? 0) + p.count);
    const cp = revVersion.get(p.revision);
    if (cp && p.version && semver.valid(cp) && semver.valid(p.version)) {
      if (semver.lt(p.version, cp)) behind.push(`${p.count} in ${p.namespace} on ${p.version} (revision ${p.revision} is ${cp})`);
      if (semver.gt(p.version, cp)) ahead.push(`${p.count} in ${p.namespace} on ${p.version} (revision ${p.revision} is ${cp})`);
    }
  }
  for (const [rev, count] of orphaned) add('proxies-of-missing-revision', 'warning', `${count} pod(s) were injected by revision ${rev}, which is no longer installed; restart them`);
  if (behind.length) add('proxies-behind-control-plane', 'warning', `proxies older than their control plane: ${behind.join('; ')}`);
  if (ahead.length) add('proxies-ahead-of-control-plane', 'error', `proxies newer than their control plane (unsupported): ${ahead.join('; ')}`);

  const current = currentRevision(inv);
  if (current) {
    const reference = { label: `revision ${current.name} at ${current.version ?? 'an unknown version'}`, version: current.version };
    for (const g of groupStragglers(findStragglers(inv, current.name))) {
      // Pinned on purpose (a namespace or pod selecting an older revision) is worth knowing; left behind is worth acting on.
      const severity = g.reason === 'namespace-pinned' || g.reason === 'pod-selected' ? 'info' : 'warning';
      add('straggler', severity, describeStragglers(g, reference));
    }
  }

  const stuck = inv.dataPlane.workloads.filter((w) => w.mode === 'sidecar' && !w.restartable);
  if (stuck.length) {
    const list = stuck.slice(0, 5).map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ');
    add('unrestartable-injected-pods', 'info', `${stuck.reduce((s, w) => s + w.pods, 0)} injected pod(s) have no restartable owner (${list}${stuck.length > 5 ? ', …' : ''}); they keep their proxy until recreated`);
  }

  const newestCp = Math.max(...inv.revisions.map((r) => knownMinor(r.version) ?? 0), 0);
  for (const ds of [inv.ambient.cni, inv.ambient.ztunnel]) {
    if (!ds) continue;
    if (ds.health !== 'healthy') add('daemonset-unhealthy', 'warning', `${ds.namespace}/${ds.name} is ${ds.health} (${ds.rollout.ready}/${ds.rollout.desired} ready)`);
    const m = knownMinor(ds.version);
    if (m !== null && newestCp && m > newestCp) add('ambient-component-ahead', 'error', `${ds.name} ${ds.version} is newer than the control plane; it must be upgraded after istiod`);
  }
  if (inv.operators.inCluster.deployments.length) {
    add('in-cluster-operator', 'warning', `the in-cluster IstioOperator controller is installed (${inv.operators.inCluster.deployments.map((o) => `${o.namespace}/${o.name}`).join(', ')}); it was removed in Istio 1.24`);
  }
  for (const c of inv.components) {
    if (c.installMethod === 'unknown' && c.component !== 'base') add('install-method-unknown', 'info', `cannot tell how ${c.component} ${c.namespace}/${c.name} was installed`);
  }
  return out;
}
