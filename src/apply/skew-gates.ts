import semver from 'semver';
import type { Inventory } from '../k8s/inventory.js';
import { revisionUsers } from '../k8s/revision-use.js';
import { upgradePolicy } from '../plans/catalog/index.js';
import { describeGate, type GatePoint } from '../plan/gates.js';

/**
 * Gates checked against the live cluster between steps of a run: before each hop and before removing revisions.
 * Pure: the caller reads the inventory (pod images give proxy versions) and stops the run when offenders come back.
 */

/** The part of the inventory the gates read. */
export type GateMesh = Pick<Inventory, 'mode' | 'revisions' | 'tags' | 'defaults' | 'dataPlane' | 'ambient' | 'gateways' | 'waypoints'>;

export type { GatePoint } from '../plan/gates.js';

export type GateName = 'proxy-skew' | 'proxy-ahead' | 'ambient-minor-skipped' | 'revision-in-use';

export interface GateOffender {
  gate: GateName;
  /** What offends: `shop/Deployment/cart`, `istio-system/ztunnel`, `revision 1-23-6`. */
  subject: string;
  detail: string;
}

const minor = (v: string | null | undefined): number | null => {
  const c = semver.coerce(v ?? '');
  return c && c.major === 1 ? c.minor : null;
};

/** Every gate that applies at `point`; empty means the run may go on. */
export function checkSkewGates(mesh: GateMesh, point: GatePoint): GateOffender[] {
  return point.kind === 'hop' ? [...proxySkew(mesh, point), ...ambientMinors(mesh, point)] : revisionsInUse(mesh, point.revisions, point.defaultsMovedFirst);
}

/**
 * Sidecar proxies at most the supported distance behind the istiod that serves them, never ahead of it. In place,
 * the proxies of the upgraded revision are measured against the hop's target, since their istiod becomes that.
 */
function proxySkew(mesh: GateMesh, hop: Extract<GatePoint, { kind: 'hop' }>): GateOffender[] {
  const skew = upgradePolicy().controlPlaneDataPlaneSkew;
  const served = new Map(mesh.revisions.map((r) => [r.name, r.version]));
  const out: GateOffender[] = [];
  for (const w of mesh.dataPlane.workloads) {
    if (w.mode !== 'sidecar' || !w.revision) continue;
    const p = minor(w.proxyVersion);
    const cpVersion = hop.inPlace && w.revision === hop.fromRevision ? hop.to : served.get(w.revision);
    const cp = minor(cpVersion);
    if (p === null || cp === null) continue;
    const subject = `${w.namespace}/${w.kind}/${w.name}`;
    if (cp - p > skew.controlPlaneAheadMaxMinors) {
      out.push({ gate: 'proxy-skew', subject, detail: `${w.pods} pod(s) run proxy ${w.proxyVersion}, ${cp - p} minors behind istiod ${w.revision} at ${cpVersion} (at most ${skew.controlPlaneAheadMaxMinors} supported); restart them onto a newer revision first` });
    } else if (p > cp && !skew.dataPlaneAheadAllowed) {
      out.push({ gate: 'proxy-ahead', subject, detail: `${w.pods} pod(s) run proxy ${w.proxyVersion}, newer than istiod ${w.revision} at ${cpVersion}` });
    }
  }
  return out;
}

/** Ambient: istio-cni and ztunnel at most one minor behind the hop's target, and the hop itself one minor. */
function ambientMinors(mesh: GateMesh, hop: Extract<GatePoint, { kind: 'hop' }>): GateOffender[] {
  if (mesh.mode !== 'ambient') return [];
  const max = upgradePolicy().ambient.nodeComponentMaxSkewMinors;
  const target = minor(hop.to);
  const from = minor(hop.from);
  if (target === null) return [];
  const out: GateOffender[] = [];
  if (from !== null && target - from > max) {
    out.push({ gate: 'ambient-minor-skipped', subject: `hop ${hop.index}`, detail: `goes from ${hop.from} to ${hop.to}, skipping ${target - from - 1} minor(s); ambient meshes go one minor per hop` });
  }
  for (const agent of [mesh.ambient.cni, mesh.ambient.ztunnel]) {
    const v = minor(agent?.version?.replace(/^v/, ''));
    if (!agent || v === null || target - v <= max) continue;
    out.push({ gate: 'ambient-minor-skipped', subject: `${agent.namespace}/${agent.name}`, detail: `runs ${agent.version}; hop ${hop.index} to ${hop.to} would leave it ${target - v} minors behind istiod (at most ${max}): the previous hop did not finish upgrading it` });
  }
  return out;
}

/** Nothing may still use a revision about to be removed (tags, namespaces, pods, gateways, waypoints). */
function revisionsInUse(mesh: GateMesh, revisions: string[], defaultsMovedFirst: boolean): GateOffender[] {
  return revisions.flatMap((rev) => revisionUsers(mesh, rev, { defaultsMovedFirst }).map((why) => ({ gate: 'revision-in-use' as const, subject: `revision ${rev}`, detail: why })));
}

/** One line per offender, for the run's stop message. */
export function describeOffenders(point: GatePoint, offenders: GateOffender[]): string {
  return [`${describeGate(point).title} failed: ${offenders.length} offender(s)`, ...offenders.map((o) => `  ${o.gate}: ${o.subject}: ${o.detail}`)].join('\n');
}
