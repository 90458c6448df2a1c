import type { Inventory, Revision } from '../../k8s/inventory.js';
import { describeStragglers, findStragglers, groupStragglers, type Straggler } from '../../k8s/stragglers.js';
import type { Hop, PlanStep } from '../../plan/schema.js';
import { isEol, nearestSupportedAfter, upgradePolicy } from '../catalog/index.js';
import { minorOf } from '../../util/version.js';
import type { Findings } from './findings.js';

/** Workload key → id of the step whose verification restarts it. */
function restartedBy(steps: PlanStep[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of steps) {
    for (const v of s.verify) {
      if (v.type !== 'workloads-restarted') continue;
      for (const w of v.workloads) out.set(`${w.kind}/${w.namespace}/${w.name}`, s.id);
    }
  }
  return out;
}

/**
 * Workloads on another revision than the one this plan upgrades (a namespace pinned to an older revision, pods an
 * older or removed revision injected in a namespace that now injects with another): one warning per group, saying
 * how far behind the target they are and whether a step of the plan restarts them.
 */
export function reportStragglers(inv: Inventory, from: Revision, steps: PlanStep[], target: string, f: Findings): void {
  const restarted = restartedBy(steps);
  const stepOf = (s: Straggler) => restarted.get(`${s.kind}/${s.namespace}/${s.name}`);
  const reference = { label: `the target ${target}`, version: target };
  for (const g of groupStragglers(findStragglers(inv, from.name))) {
    const done = g.workloads.filter(stepOf);
    const left = g.workloads.filter((w) => !stepOf(w));
    if (done.length) {
      const ids = [...new Set(done.map((w) => stepOf(w)!))].join(', ');
      f.warning('straggler-restarted', `${describeStragglers({ ...g, workloads: done }, reference)}; restarted by step ${ids}`);
    }
    if (!left.length) continue;
    const restartable = left.filter((w) => w.restartable);
    const byHand = left.filter((w) => !w.restartable);
    f.warning('straggler-left', `${describeStragglers({ ...g, workloads: left }, reference)}; this plan does not restart ${left.length === 1 ? 'it' : 'them'}`, {
      remedy: [
        ...(restartable.length ? [`kubectl rollout restart ${restartable.map((w) => `${w.kind.toLowerCase()}/${w.name}`).join(' ')} -n ${g.namespace}   (after pointing the namespace at the revision it should use)`] : []),
        ...(byHand.length ? [`recreate by hand (no rollout owns them): ${byHand.map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')}`] : []),
      ],
    });
  }
}

/**
 * Revisions still running once the plan is done (installed ones it does not remove, and intermediate ones it
 * installs and keeps) whose minor is end-of-life on `now`: each gets a warning naming the supported alternative.
 */
export function reportEolRevisionsLeft(inv: Inventory, hops: Hop[], steps: PlanStep[], now: Date, f: Findings): void {
  const removed = new Set(steps.flatMap((s) => s.verify.flatMap((v) => (v.type === 'revision-absent' ? [v.revision] : []))));
  const last = hops[hops.length - 1];
  const running = new Map<string, string | null>();
  for (const r of inv.revisions) if (r.deployment) running.set(r.name, r.version);
  for (const h of hops) if (h !== last) running.set(h.revision, h.to);
  if (last) running.delete(last.revision);
  for (const [name, version] of running) {
    if (removed.has(name) || !version) continue;
    const minor = minorOf(version);
    if (!isEol(minor, now)) continue;
    const alternative = nearestSupportedAfter(minor, now);
    f.warning('revision-left-eol', `revision ${name} (${version}) keeps running after this plan, and Istio ${minor} is end-of-life: it gets no security fixes; move what uses it to ${last?.revision ?? 'a supported revision'} and remove it${alternative ? ` (oldest supported release: ${alternative})` : ''}`, {
      source: upgradePolicy().supportWindow.source,
    });
  }
}
