import { describeGate, gatePointAt } from '../plan/gates.js';
import type { Plan } from '../plan/schema.js';
import type { Cluster } from './ports.js';
import type { StepRecord } from './run-record.js';
import { checkSkewGates, describeOffenders } from './skew-gates.js';

export interface GateVerdict {
  /** What the run record keeps on the step the gate stands before. */
  record: NonNullable<StepRecord['gate']>;
  /** Null when the gate passed; otherwise the stop message listing every offender. */
  failure: string | null;
}

/**
 * The skew gate standing before step `index`, checked against the live cluster as it is now (pods' proxy images and
 * injecting revisions, ambient node agents' versions, tags and namespace labels); null where no gate stands.
 */
export async function checkGateBefore(plan: Plan, index: number, cluster: Pick<Cluster, 'inventory'>, at: string): Promise<GateVerdict | null> {
  const point = gatePointAt(plan, index);
  if (!point) return null;
  const offenders = checkSkewGates(await cluster.inventory(), point);
  return {
    record: { title: describeGate(point).title, checkedAt: at, passed: offenders.length === 0, offenders: offenders.map((o) => `${o.gate}: ${o.subject}: ${o.detail}`) },
    failure: offenders.length ? describeOffenders(point, offenders) : null,
  };
}
