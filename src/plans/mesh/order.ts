import { ExitCode, UserError } from '../../errors.js';
import type { Findings } from '../planner/findings.js';
import { MAX_CONTROL_PLANE_SKEW, minorDistance, type MeshMember } from './members.js';
import type { MeshPlan } from './schema.js';

/** A primary's control-plane version before and after its own plan. */
export interface PrimaryVersions {
  name: string;
  from: string | null;
  to: string;
  meshPods: number;
}

/**
 * The order in which primaries are upgraded, each finished (and verified) before the next starts. Default: fewest
 * mesh pods first (the smallest blast radius learns first); `--cluster-order` overrides it. Either way the order must
 * keep every two control planes within MAX_CONTROL_PLANE_SKEW minors at every moment: a requested order that breaks
 * it is a blocker; a default order that breaks it is replaced by the first one (in the default's preference) that
 * does not, with a warning.
 */
export function choosePrimaryOrder(primaries: PrimaryVersions[], requested: string[] | undefined, f: Findings): MeshPlan['clusterOrder'] {
  if (requested) {
    const names = new Set(primaries.map((p) => p.name));
    for (const n of requested) if (!names.has(n)) throw new UserError(`--cluster-order names ${n}, which is not a primary cluster of this mesh (primaries: ${[...names].join(', ')})`, ExitCode.usage);
    const missing = [...names].filter((n) => !requested.includes(n));
    if (missing.length) throw new UserError(`--cluster-order must name every primary cluster once; missing: ${missing.join(', ')}`, ExitCode.usage);
    const ordered = requested.map((n) => primaries.find((p) => p.name === n)!);
    const broken = firstSkewViolation(ordered);
    if (broken) f.blocker('mesh-order-skew', `--cluster-order ${requested.join(',')} ${broken}`, { remedy: skewRemedy(primaries) });
    return { order: requested, chosenBy: 'flag' };
  }
  const preferred = [...primaries].sort((a, b) => a.meshPods - b.meshPods || a.name.localeCompare(b.name));
  if (!firstSkewViolation(preferred)) return { order: preferred.map((p) => p.name), chosenBy: 'fewest-workloads' };
  const valid = permutations(preferred).find((o) => !firstSkewViolation(o));
  if (!valid) {
    f.blocker('mesh-order-skew', `no order of the primaries keeps their control planes within ${MAX_CONTROL_PLANE_SKEW} minor(s) of each other: ${firstSkewViolation(preferred)}`, { remedy: skewRemedy(primaries) });
    return { order: preferred.map((p) => p.name), chosenBy: 'fewest-workloads' };
  }
  f.warning('mesh-order-adjusted', `upgrading the smallest cluster first (${preferred.map((p) => p.name).join(', ')}) ${firstSkewViolation(preferred)}; using ${valid.map((p) => p.name).join(', ')} instead`);
  return { order: valid.map((p) => p.name), chosenBy: 'fewest-workloads-adjusted-for-skew' };
}

/** Walks the order: after each cluster finishes, every two control planes must be close enough. */
export function firstSkewViolation(order: PrimaryVersions[]): string | null {
  for (let done = 1; done <= order.length; done++) {
    const now = order.map((p, i) => ({ name: p.name, version: i < done ? p.to : p.from })).filter((x): x is { name: string; version: string } => x.version !== null);
    if (now.length > 1 && minorDistance(now.map((x) => x.version)) > MAX_CONTROL_PLANE_SKEW) {
      return `would leave control planes ${minorDistance(now.map((x) => x.version))} minors apart after ${order[done - 1]!.name} is upgraded (${now.map((x) => `${x.name} ${x.version}`).join(', ')}; at most ${MAX_CONTROL_PLANE_SKEW} allowed)`;
    }
  }
  return null;
}

function skewRemedy(primaries: PrimaryVersions[]): string[] {
  return [`upgrade the oldest cluster(s) first, or plan an intermediate target (e.g. --to the minor after the oldest of ${primaries.map((p) => `${p.name} ${p.from ?? '?'}`).join(', ')}) for the whole mesh, then the final one`];
}

/** Every order of a few clusters, in the preference order of the input (meshes have a handful of primaries). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  if (items.length > 7) return [];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

export function primaryVersions(m: MeshMember, to: string): PrimaryVersions {
  return { name: m.name, from: m.version, to, meshPods: m.meshPods };
}
