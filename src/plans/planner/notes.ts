import { evaluateCondition, notesForHop, type ClusterFacts, type HopNote } from '../catalog/index.js';
import type { Plan } from '../plan-schema.js';
import type { Findings } from './findings.js';

/** Step kinds the planner builds itself; any other stepKind in a note becomes a manual follow-up. */
const BUILT_STEP_KINDS = new Set(['crd-migration-labels', 'workload-restart']);

export interface HopNotes {
  applicable: (HopNote & { applies: 'yes' | 'maybe' })[];
  needsCrdMigration: HopNote | undefined;
  /** An order note putting a workload restart between CNI and ztunnel. */
  restartBetweenCniAndZtunnel: HopNote | undefined;
  /** A step note asking for ambient workloads to be restarted once ztunnel is upgraded. */
  restartAfterZtunnel: HopNote | undefined;
  compatibilityRevertible: HopNote[];
}

/** Applies the catalog's notes for one hop: data decides, the planner only interprets the vocabulary. */
export function evaluateHopNotes(hopIndex: number, from: string, to: string, facts: ClusterFacts, f: Findings, planNotes: Plan['notes']): HopNotes {
  const applicable: HopNotes['applicable'] = [];
  for (const note of notesForHop(from, to)) {
    const tri = evaluateCondition(note.appliesWhen, facts);
    if (tri === 'no') continue;
    const applies = tri === 'yes' ? 'yes' : 'maybe';
    applicable.push({ ...note, applies });
    planNotes.push({ id: note.id, hop: hopIndex, kind: note.kind, summary: note.summary, applies, source: note.source, unconfirmed: note.unconfirmed ?? false });
    const e = note.effect ?? {};
    const remedy = e.commands;
    if (e.blocker && applies === 'yes') {
      f.blocker(note.id, note.summary, { source: note.source, ...(remedy ? { remedy } : {}) });
    } else if (e.blocker) {
      f.warning(note.id, `check before applying (could not be verified from the cluster): ${note.summary}`, { source: note.source });
    } else if (note.kind === 'precondition' || (e.stepKind && !BUILT_STEP_KINDS.has(e.stepKind))) {
      const prefix = applies === 'yes' ? 'before applying' : 'may apply';
      f.warning(note.id, `${prefix}: ${note.summary}`, { source: note.source, ...(remedy ? { remedy } : {}) });
    } else if (note.kind === 'warning' && applies === 'yes') {
      f.warning(note.id, note.summary, { source: note.source });
    }
  }
  const yes = applicable.filter((n) => n.applies === 'yes');
  const orderHasRestart = (n: HopNote) => {
    const o = n.effect?.order ?? [];
    const cni = o.indexOf('cni-upgrade');
    const restart = o.indexOf('workload-restart');
    const zt = o.indexOf('ztunnel-upgrade');
    return cni >= 0 && restart > cni && zt > restart;
  };
  return {
    applicable,
    needsCrdMigration: yes.find((n) => n.effect?.stepKind === 'crd-migration-labels'),
    restartBetweenCniAndZtunnel: yes.find(orderHasRestart),
    restartAfterZtunnel: yes.find((n) => n.effect?.stepKind === 'workload-restart' && n.effect.placement?.after === 'ztunnel-upgrade'),
    compatibilityRevertible: applicable.filter((n) => n.compatibilityRevertible),
  };
}
