import { evaluateCondition, notesForHop, upgradePolicy, type ChartKey, type ClusterFacts, type HopNote, type Phase } from '../catalog/index.js';
import type { Plan } from '../../plan/schema.js';
import type { Findings } from './findings.js';
import type { GatewayApiUpgrade } from './gateway-api-crds.js';

/**
 * Phases in the order the planner builds them. An `order` note (or the ambient upgrade policy) is carried out
 * when its phases are all planned and appear in this order; anything else is reported as not automated.
 */
export const PLANNED_PHASE_ORDER: readonly Phase[] = ['precheck', 'crds-upgrade', 'istiod-upgrade', 'cni-upgrade', 'ztunnel-upgrade', 'tag-move', 'gateway-upgrade', 'old-revision-removal'];

/** A value a note asks the plan to set on one chart, in that chart's own value paths. */
export interface ChartValue {
  chart: ChartKey;
  path: string;
  value: string | number | boolean;
  noteId: string;
  dropWhen?: string;
}

export interface HopNotes {
  applicable: (HopNote & { applies: 'yes' | 'maybe' })[];
  needsCrdMigration: HopNote | undefined;
  /** An order note putting a workload restart between CNI and ztunnel. */
  restartBetweenCniAndZtunnel: HopNote | undefined;
  /** A step note asking for ambient workloads to be restarted once ztunnel is upgraded. */
  restartAfterZtunnel: HopNote | undefined;
  compatibilityRevertible: HopNotes['applicable'];
  /** Workaround values the hop's chart steps carry (`setHelmValues` of notes that apply). */
  chartValues: ChartValue[];
  /** The Gateway API CRD bundle this hop upgrades (the catalog's CRD bounds for its istiod), set by the planner. */
  gatewayApiCrds?: GatewayApiUpgrade;
}

/** The charts a note value without `charts` reaches: every chart the planner upgrades with Helm. */
const EVERY_CHART: ChartKey[] = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'];

/** Unified values-tree path → the path inside a standalone chart (the cni chart keeps `cni.*` at its top level). */
export function chartLocalPath(chart: ChartKey, path: string): string {
  return chart === 'cni' && path.startsWith('cni.') ? path.slice('cni.'.length) : path;
}

function lookup(values: Record<string, unknown> | undefined, path: string): unknown {
  if (!values) return undefined;
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Whether the planned phases contain `order` in that order; a restart between CNI and ztunnel is planned separately. */
export function orderIsPlanned(order: readonly Phase[]): boolean {
  const phases = order.filter((p) => p !== 'workload-restart');
  const idx = phases.map((p) => PLANNED_PHASE_ORDER.indexOf(p));
  if (idx.some((i) => i < 0)) return false;
  return idx.every((i, k) => k === 0 || i > idx[k - 1]!);
}

function restartsBetweenCniAndZtunnel(order: readonly Phase[]): boolean {
  const cni = order.indexOf('cni-upgrade');
  const restart = order.indexOf('workload-restart');
  const zt = order.indexOf('ztunnel-upgrade');
  return cni >= 0 && restart > cni && zt > restart;
}

const cmpVersion = (a: string, b: string): number => {
  const x = a.replace(/^v/, '').split('.').map(Number);
  const y = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
};

/**
 * Applies the catalog's notes for one hop: data decides, the planner only interprets the vocabulary. Every effect a
 * note declares is either carried out here or by the steps (values, restarts, CRD adoption, order), checked against
 * the cluster (removed or renamed values and env, component versions), or shown as a warning "not automated: …".
 */
export function evaluateHopNotes(hopIndex: number, from: string, to: string, facts: ClusterFacts, f: Findings, planNotes: Plan['notes']): HopNotes {
  const applicable: HopNotes['applicable'] = [];
  const chartValues: ChartValue[] = [];
  const out = {
    needsCrdMigration: undefined as HopNote | undefined,
    restartBetweenCniAndZtunnel: undefined as HopNote | undefined,
    restartAfterZtunnel: undefined as HopNote | undefined,
  };
  for (const note of notesForHop(from, to)) {
    const tri = evaluateCondition(note.appliesWhen, facts);
    if (tri === 'no') continue;
    const applies = tri === 'yes' ? 'yes' : 'maybe';
    applicable.push({ ...note, applies });
    planNotes.push({ id: note.id, hop: hopIndex, kind: note.kind, summary: note.summary, applies, source: note.source, unconfirmed: note.unconfirmed ?? false });
    const e = note.effect ?? {};
    const src = { source: note.source };
    const notAutomated = (why: string, remedy?: string[]) =>
      f.warning(note.id, `not automated${applies === 'maybe' ? ' (may apply: the cluster does not tell)' : ''}: ${why}`, { ...src, ...(remedy?.length ? { remedy } : {}) });

    if (e.blocker) {
      if (applies === 'yes') f.blocker(note.id, note.summary, { ...src, ...(e.commands ? { remedy: e.commands } : {}) });
      else notAutomated(`check before applying: ${note.summary}`, e.commands);
      continue;
    }
    // Checks against what the cluster says; a check that finds nothing wrong is silent.
    let checked = false;
    if (e.forbiddenHelmValues || e.renamedHelmValues) {
      checked = facts.helmValues !== undefined;
      const set = (p: string) => lookup(facts.helmValues, p) !== undefined;
      for (const { from: old, to: now } of e.renamedHelmValues ?? [])
        if (set(old)) f.blocker(note.id, `Helm value ${old} is no longer read from ${note.minor}: move it to ${now} in the release values before upgrading`, { ...src, remedy: [`move ${old}.* to ${now}.* in the values you install with`] });
      for (const p of e.forbiddenHelmValues ?? [])
        if (set(p) && !(e.renamedHelmValues ?? []).some((r) => r.from === p))
          f.blocker(note.id, `Helm value ${p} is set but ${note.minor} removed it; the plan carries the release's values forward, so remove or replace it first: ${note.summary}`, src);
    }
    if (e.removedEnv) {
      checked = facts.env !== undefined;
      const found = e.removedEnv.filter((v) => facts.env?.[v] !== undefined);
      if (found.length) f.warning(note.id, `${found.join(', ')} set on istiod but no longer read from ${note.minor}: ${note.summary}`, src);
    }
    let satisfied = false;
    if (e.requireComponent) {
      const { component, atLeast, atMost } = e.requireComponent;
      const have = facts.components?.[component];
      if (typeof have === 'string') {
        checked = true;
        const outside = (atLeast !== undefined && cmpVersion(have, atLeast) < 0) || (atMost !== undefined && cmpVersion(have, atMost) > 0);
        const range = [atLeast && `≥ ${atLeast}`, atMost && `≤ ${atMost}`].filter(Boolean).join(', ');
        if (outside && applies === 'yes') f.blocker(note.id, `${component} ${have} is not ${range} as Istio ${note.minor} needs: ${note.summary}`, src);
        else if (outside) notAutomated(`${component} ${have} is not ${range}: ${note.summary}`);
        satisfied = !outside;
      } else if (have === false) checked = true;
    }

    // Actions the planner builds.
    let built = e.automatedBy !== undefined;
    if (e.setHelmValues?.length && applies === 'yes') {
      built = true;
      for (const v of e.setHelmValues)
        for (const chart of v.charts ?? EVERY_CHART)
          chartValues.push({ chart, path: chartLocalPath(chart, v.path), value: v.value, noteId: note.id, ...(v.dropWhen ? { dropWhen: v.dropWhen } : {}) });
    }
    if (e.stepKind === 'crd-migration-labels' && applies === 'yes') {
      out.needsCrdMigration ??= note;
      built = true;
    }
    if (asksRestartAfterZtunnel({ ...note, applies })) {
      out.restartAfterZtunnel ??= note;
      built = true;
    }
    if (e.order) {
      if (restartsBetweenCniAndZtunnel(e.order) && applies === 'yes') out.restartBetweenCniAndZtunnel ??= note;
      built = orderIsPlanned(e.order) && (applies === 'yes' || !e.order.includes('workload-restart'));
    }

    const asksForAction = e.stepKind !== undefined || e.order !== undefined || e.placement !== undefined || (e.setHelmValues?.length ?? 0) > 0;
    if (asksForAction && !built && !satisfied) {
      notAutomated(note.summary, [...(e.commands ?? []), ...valuesRemedy(e.setHelmValues), ...revertRemedy(e.revertFlags)]);
    } else if (note.kind === 'precondition' && !checked && !built) {
      notAutomated(`check before applying: ${note.summary}`, e.commands);
    } else if (note.kind === 'warning' && applies === 'yes' && !checked) {
      f.warning(note.id, note.summary, { ...src, ...(e.revertFlags ? { remedy: revertRemedy(e.revertFlags) } : {}) });
    }
  }
  reportValuesSetByPlan(chartValues, f);
  return {
    applicable,
    ...out,
    compatibilityRevertible: applicable.filter((n) => n.compatibilityRevertible),
    chartValues,
  };
}

/** A step note that applies and asks for the ambient workloads to be restarted once ztunnel is upgraded. */
export function asksRestartAfterZtunnel(note: HopNote & { applies: 'yes' | 'maybe' }): boolean {
  return note.effect?.stepKind === 'workload-restart' && note.effect.placement?.after === 'ztunnel-upgrade' && note.applies === 'yes';
}

/** Whether a hop's compatibilityVersion reverts a note's change: the profile of version C reverts the changes of later minors. */
export function revertedByCompatibility(note: HopNote, compatibilityVersion: string | null): boolean {
  return compatibilityVersion !== null && note.compatibilityRevertible === true && cmpVersion(compatibilityVersion, note.minor) < 0;
}

function valuesRemedy(values: { path: string; value: string | number | boolean; charts?: ChartKey[] }[] | undefined): string[] {
  return (values ?? []).map((v) => `set ${v.path}=${JSON.stringify(v.value)} on the ${(v.charts ?? ['every']).join(', ')} chart(s)`);
}

function revertRemedy(flags: Record<string, string | number | boolean> | undefined): string[] {
  return flags ? [`to keep the previous behaviour: ${Object.entries(flags).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`] : [];
}

function reportValuesSetByPlan(values: ChartValue[], f: Findings): void {
  for (const v of values)
    f.warning(`${v.noteId}-set-by-plan`, `the plan sets ${v.path}=${JSON.stringify(v.value)} on the ${v.chart} chart (note ${v.noteId})${v.dropWhen ? `; drop it once ${v.dropWhen}` : ''}`);
}

/** The ambient upgrade policy and the CRDs-first rule must hold for the planned phase order; checked once per plan. */
export function checkPolicyOrder(ambient: boolean, f: Findings): void {
  const policy = upgradePolicy();
  const wanted: Phase[][] = [[policy.crdsFirst.phase, 'istiod-upgrade'], ...(ambient ? [policy.ambient.order] : [])];
  for (const order of wanted)
    if (!orderIsPlanned(order)) f.warning('policy-order-not-automated', `not automated: the upgrade order ${order.join(' → ')} is not the order this plan runs`, { source: policy.ambient.source });
}

