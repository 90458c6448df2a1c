import type { Inventory } from '../../k8s/inventory.js';
import { minorOf } from '../../util/version.js';
import type { Findings } from '../planner/findings.js';
import type { MeshRole } from './schema.js';

/** One cluster of the mesh as given on the command line (a context, a snapshot, or an entry of --mesh). */
export interface MeshMemberInput {
  /** How the user named it (context, snapshot file, or the --mesh entry's name); used when the cluster has no clusterName. */
  label: string;
  inventory: Inventory;
  /** Role stated in a --mesh file; otherwise read from the cluster. */
  role?: MeshRole;
}

export interface MeshMember {
  name: string;
  label: string;
  role: MeshRole;
  inventory: Inventory;
  /** For a remote: the primary named by its controlPlaneClusters annotation (or the only primary given). */
  controlPlane: string | null;
  /** Version of the istiod serving it: its own for a primary, the primary's for a remote. */
  version: string | null;
  meshPods: number;
}

/**
 * Joins the clusters' inventories into one mesh and checks that they are one: the same mesh ID and trust domain,
 * every cluster a primary reads (remote secret) and every remote's control plane among the clusters given, no two
 * clusters with one name. Problems are blockers: a mesh plan over an inconsistent set would upgrade half a mesh.
 */
export function joinMesh(inputs: MeshMemberInput[], f: Findings): MeshMember[] {
  const members: MeshMember[] = inputs.map((i) => {
    const m = i.inventory.mesh;
    if (!m) {
      f.blocker('mesh-not-multicluster', `${i.label}: nothing marks this cluster as part of a multi-cluster mesh (no meshID, clusterName, network label, remote secret, east-west gateway or remote install); plan it on its own`);
    }
    const role = i.role ?? m?.role ?? 'primary';
    if (i.role && m && i.role !== m.role) f.warning('mesh-role-differs', `${i.label}: the mesh file says ${i.role} but the cluster looks like a ${m.role}; planning it as ${i.role}`);
    const own = i.inventory.revisions.find((r) => r.deployment && r.version)?.version ?? null;
    return {
      name: memberName(i),
      label: i.label,
      role,
      inventory: i.inventory,
      controlPlane: null,
      version: role === 'primary' ? own : null,
      meshPods: i.inventory.dataPlane.workloads.reduce((n, w) => n + w.pods, 0),
    };
  });

  const names = new Map<string, number>();
  for (const m of members) names.set(m.name, (names.get(m.name) ?? 0) + 1);
  for (const [name, count] of names) if (count > 1) f.blocker('mesh-duplicate-cluster', `${count} of the clusters given are named ${name}: give each cluster once (a multi-cluster mesh needs distinct clusterName values)`);

  sameEverywhere(members, (m) => m.inventory.mesh?.meshId ?? null, 'mesh ID', 'mesh-id-mismatch', f);
  sameEverywhere(members, (m) => m.inventory.mesh?.trustDomain ?? null, 'trust domain', 'mesh-trust-domain-mismatch', f);

  const primaries = members.filter((m) => m.role === 'primary');
  if (primaries.length === 0) f.blocker('mesh-no-primary', 'none of the clusters given runs an istiod: a mesh plan needs at least one primary cluster');
  for (const p of primaries) {
    for (const s of p.inventory.mesh?.remoteSecrets ?? []) {
      if (s.cluster && !names.has(s.cluster)) {
        f.blocker('mesh-cluster-missing', `${p.name} reads cluster ${s.cluster} (remote secret ${s.namespace}/${s.name}), which is not among the clusters given: add it (--context, --snapshot or --mesh) so the plan covers the whole mesh`);
      }
    }
  }
  for (const r of members.filter((m) => m.role === 'remote')) {
    const named = r.inventory.mesh?.controlPlaneClusters ?? [];
    const cp = named.find((n) => primaries.some((p) => p.name === n)) ?? (named.length === 0 && primaries.length === 1 ? primaries[0]!.name : null);
    if (!cp) {
      f.blocker('mesh-remote-without-primary', `remote ${r.name} uses the control plane of ${named.join(', ') || 'an unnamed cluster'}, which is not among the primaries given (${primaries.map((p) => p.name).join(', ') || 'none'})`);
      continue;
    }
    r.controlPlane = cp;
    const primary = primaries.find((p) => p.name === cp)!;
    r.version = primary.version;
    if (!(primary.inventory.mesh?.remoteSecrets ?? []).some((s) => s.cluster === r.name)) {
      f.warning('mesh-remote-not-read', `primary ${cp} holds no remote secret for ${r.name}: its istiod does not discover ${r.name}'s endpoints (istioctl create-remote-secret --name=${r.name})`);
    }
  }
  const minors = primaries.map((p) => p.version).filter((v): v is string => v !== null);
  if (minors.length > 1 && minorDistance(minors) > MAX_CONTROL_PLANE_SKEW) {
    f.warning('mesh-skew-now', `the primaries already run control planes ${minorDistance(minors)} minors apart (${primaries.map((p) => `${p.name} ${p.version}`).join(', ')}), more than the ${MAX_CONTROL_PLANE_SKEW} this plan allows between clusters`);
  }
  return members;
}

/** A cluster is known by its clusterName (what remote secrets and controlPlaneClusters name), else as given. */
export function memberName(i: MeshMemberInput): string {
  return i.inventory.mesh?.clusterName ?? i.label;
}

/**
 * Largest minor distance allowed between the control planes of one mesh at any moment. istio.io states the
 * data plane / control plane skew (a proxy may be one minor behind its istiod) but no figure for istiod ↔ istiod
 * across clusters; one minor is the conservative reading used here.
 */
export const MAX_CONTROL_PLANE_SKEW = 1;

export function minorDistance(versions: string[]): number {
  const minors = versions.map((v) => Number(minorOf(v).split('.')[1]));
  return Math.max(...minors) - Math.min(...minors);
}

function sameEverywhere(members: MeshMember[], read: (m: MeshMember) => string | null, what: string, id: string, f: Findings): void {
  const known = members.map((m) => [m.name, read(m)] as const).filter((x): x is readonly [string, string] => x[1] !== null);
  if (new Set(known.map(([, v]) => v)).size > 1) f.blocker(id, `the clusters disagree on the ${what}: ${known.map(([n, v]) => `${n} ${v}`).join(', ')}; they are not one mesh`);
}
