import type { ChalkInstance } from 'chalk';
import type { Inventory, MeshTopology } from '../../k8s/inventory.js';
import { table as layoutTable } from '../text/table.js';
import { wrapText } from '../text/width.js';
import { isPendingRelease } from '../../k8s/helm-release.js';

const dash = '–';

export function renderStatus(inv: Inventory, c: ChalkInstance, width = 80): string {
  const out: string[] = [];
  const table = (headers: string[], rows: string[][]) => layoutTable(headers, rows, '  ', width);
  /** A line of prose under a section, wrapped with a hanging indent. */
  const prose = (text: string) => out.push(...wrapText(text.trim(), width, '  ', '    '));
  const health = (h: string) => (h === 'healthy' ? c.green(h) : h === 'unknown' ? c.dim(h) : h === 'progressing' ? c.yellow(h) : c.red(h));
  const section = (title: string) => out.push('', c.bold(title));

  const src = inv.source.type === 'snapshot' ? `snapshot${inv.source.capturedAt ? ` of ${inv.source.capturedAt}` : ''}` : 'live';
  out.push(
    ...wrapText(`${c.bold('Cluster')}  ${inv.source.context ?? dash} · Kubernetes ${inv.cluster.kubernetesVersion} · ${inv.cluster.nodes.length} node(s) · ${src}`, width, '', ' '.repeat(9)),
    ...wrapText(`${c.bold('Mesh')}     ${inv.mode} · installed with ${inv.installMethod} · control plane in ${inv.istioNamespace}`, width, '', ' '.repeat(9)),
  );

  if (inv.mesh) renderMeshTopology(inv.mesh, { section, prose, table, out });

  section('Control plane revisions');
  if (inv.revisions.length === 0) out.push('  none found');
  else
    out.push(
      table(
        ['REVISION', 'VERSION', 'ISTIOD', 'READY', 'HEALTH', 'INSTALL', 'PROFILE', 'TAGS'],
        inv.revisions.map((r) => [
          r.name,
          r.version ?? dash,
          r.deployment ?? dash,
          r.rollout ? `${r.rollout.ready}/${r.rollout.desired}` : dash,
          health(r.health),
          r.installMethod + (r.helmRelease ? ` (${r.helmRelease.release})` : ''),
          r.profile ?? dash,
          r.tags.join(', ') || dash,
        ]),
      ),
    );

  section('Revision tags');
  if (inv.tags.length === 0) out.push('  none');
  else
    out.push(
      table(
        ['TAG', 'REVISION', 'WEBHOOK', 'SERVICE', 'NAMESPACES'],
        inv.tags.map((t) => [t.name, t.conflicting ? c.red(t.revision) : t.revision, t.webhook ?? dash, t.service ?? dash, t.namespaces.join(', ') || dash]),
      ),
    );
  const d = inv.defaults;
  prose(
    `defaults: tag default → ${d.tagRevision ?? dash} · istiod-default-validator → ${d.validatorRevision ?? dash} · base defaultRevision → ${d.baseDefaultRevision ?? dash} · ${d.consistent ? c.green('consistent') : c.red('DISAGREE')}`,
  );

  section('Components');
  out.push(
    table(
      ['COMPONENT', 'NAME', 'NAMESPACE', 'VERSION', 'REVISION', 'INSTALL', 'HEALTH'],
      inv.components.map((x) => [x.component, x.name, x.namespace || dash, x.version ?? dash, x.revision ?? dash, x.installMethod, health(x.health)]),
    ),
  );
  if (inv.ambient.cni) prose(`  istio-cni: ambient ${inv.ambient.cni.ambientEnabled ? 'on' : 'off'}, DNS capture ${inv.ambient.cni.dnsCapture === null ? 'not set' : inv.ambient.cni.dnsCapture ? 'on' : 'off'}`);
  if (inv.waypoints.length) prose(`  waypoints: ${inv.waypoints.map((w) => `${w.namespace}/${w.name}`).join(', ')}`);

  section('Data plane');
  const ns = inv.dataPlane.namespaces;
  if (ns.length === 0) out.push('  no namespace is enrolled in the mesh');
  else {
    const podsIn = (name: string) => inv.dataPlane.workloads.filter((w) => w.namespace === name).reduce((s, w) => s + w.pods, 0);
    const versionsIn = (name: string) =>
      inv.dataPlane.proxies
        .filter((p) => p.namespace === name)
        .map((p) => `${p.version ?? '?'}@${p.revision}×${p.count}`)
        .join(', ');
    out.push(
      table(
        ['NAMESPACE', 'LABEL', 'REVISION', 'PODS', 'PROXIES'],
        ns.map((n) => [
          n.name,
          n.dataplaneMode === 'ambient' ? 'ambient' : n.injection ? `istio-injection=${n.injection}` : `istio.io/rev=${n.revisionLabel}`,
          n.effectiveRevision ?? dash,
          String(podsIn(n.name)),
          versionsIn(n.name) || dash,
        ]),
      ),
    );
  }
  const byVersion = new Map<string, number>();
  for (const p of inv.dataPlane.proxies) byVersion.set(p.version ?? 'unknown', (byVersion.get(p.version ?? 'unknown') ?? 0) + p.count);
  if (byVersion.size) prose(`  PROXIES: version@revision×count; sidecar proxies by version: ${[...byVersion].map(([v, n]) => `${v}×${n}`).join(', ')}`);
  const ambientPods = inv.dataPlane.workloads.filter((w) => w.mode === 'ambient').reduce((s, w) => s + w.pods, 0);
  if (ambientPods) prose(`  ambient pods: ${ambientPods}`);

  if (inv.gateways.length) {
    section('Gateways');
    out.push(table(['TYPE', 'NAME', 'NAMESPACE', 'VERSION', 'REVISION'], inv.gateways.map((g) => [g.type, g.name, g.namespace, g.version ?? dash, g.revision ?? dash])));
  }

  if (inv.helmReleases.length) {
    section('Helm releases');
    out.push(
      table(
        ['NAME', 'NAMESPACE', 'CHART', 'STATUS', 'REVISION', 'LAST GOOD'],
        inv.helmReleases.map((r) => [
          r.name,
          r.namespace,
          `${r.chart}-${r.chartVersion}`,
          r.status === 'deployed' ? c.green(r.status) : isPendingRelease(r) || r.status === 'failed' ? c.red(r.status) : r.status,
          String(r.revision),
          r.lastGoodRevision === null ? dash : String(r.lastGoodRevision),
        ]),
      ),
    );
  }

  section('CRDs');
  const crds = inv.crds.istio;
  const owned = crds.filter((x) => x.helmOwned).length;
  const owners = [...new Set(crds.filter((x) => x.helmRelease).map((x) => `${x.helmRelease!.namespace}/${x.helmRelease!.release}`))];
  prose(`  Istio: ${crds.length} CRD(s), ${owned} Helm-owned${owners.length ? ` by ${owners.join(', ')}` : ''}${crds.some((x) => x.legacyChartLabel && !x.helmOwned) ? ', legacy chart=istio labels' : ''}`);
  const gw = inv.crds.gatewayApi;
  prose(`  Gateway API: ${gw.present ? `${gw.bundleVersion ?? 'unknown bundle'}${gw.channel ? ` (${gw.channel})` : ''}, ${gw.crds.length} CRD(s)` : 'not installed'}`);
  if (inv.istioCsr.present) prose(`  istio-csr: ${inv.istioCsr.version ?? 'unknown version'} (${inv.istioCsr.namespace}/${inv.istioCsr.name})`);

  section('Findings');
  if (inv.findings.length === 0) prose(`  ${c.green('✓')} nothing to report`);
  for (const f of inv.findings) {
    const mark = f.severity === 'error' ? c.red('✗') : f.severity === 'warning' ? c.yellow('!') : c.dim('i');
    prose(`  ${mark} ${f.message} ${c.dim(`[${f.id}]`)}`);
  }
  return `${out.join('\n')}\n`;
}

interface StatusWriter {
  section: (title: string) => void;
  prose: (text: string) => void;
  table: (headers: string[], rows: string[][]) => string;
  out: string[];
}

/** The cluster's place in a multi-cluster mesh: identity, the clusters it reads, and how remotes reach it. */
function renderMeshTopology(m: MeshTopology, w: StatusWriter): void {
  w.section('Multi-cluster');
  w.prose(
    `${m.role} · mesh ${m.meshId ?? dash} · cluster ${m.clusterName ?? dash} · network ${m.network ?? dash} · trust domain ${m.trustDomain ?? dash}` +
      (m.servesRemotes ? ' · serves remote clusters (externalIstiod)' : ''),
  );
  if (m.controlPlaneClusters.length) w.prose(`control plane in cluster(s): ${m.controlPlaneClusters.join(', ')}`);
  if (m.remotePilotAddress) w.prose(`remote control plane address: ${m.remotePilotAddress}`);
  if (m.remoteSecrets.length) w.prose(`remote secrets (clusters this control plane reads): ${m.remoteSecrets.map((s) => `${s.cluster ?? '?'} (${s.name})`).join(', ')}`);
  if (m.eastWestGateways.length) {
    w.out.push(
      w.table(
        ['EAST-WEST GATEWAY', 'NETWORK', 'PORTS', 'ISTIOD PORTS', 'REVISION', 'VERSION'],
        m.eastWestGateways.map((g) => [`${g.namespace}/${g.name}`, g.network ?? dash, g.ports.join(',') || dash, g.controlPlanePorts ? 'open' : 'no', g.revision ?? dash, g.version ?? dash]),
      ),
    );
  }
  if (m.remoteInstalls.length) {
    w.out.push(
      w.table(
        ['REMOTE INSTALL', 'CHART', 'VERSION', 'REVISION'],
        m.remoteInstalls.map((r) => [installName(r), r.chart, r.version ?? dash, r.revision]),
      ),
    );
    // A prose line, not a column: the injection path is one long word that no table column could wrap.
    for (const r of m.remoteInstalls) if (r.injectionTarget) w.prose(`${installName(r)} injects through ${r.injectionTarget.replace(/^service\/([^/]+)\/([^/]+)(\/.*)?$/, 'Service $1/$2, path $3')}`);
  }
}

const installName = (r: MeshTopology['remoteInstalls'][number]) => (r.helmRelease ? `${r.helmRelease.namespace}/${r.helmRelease.release}` : (r.injectorWebhook ?? dash));
