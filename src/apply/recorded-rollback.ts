import type { PlanCommand } from '../plan/schema.js';
import type { StepRecord } from './run-record.js';
import { namespaceArg } from './stale.js';

/**
 * The plan computes `helm rollback <release> <N>` assuming each upgrade adds one Helm revision. A step
 * that failed and was retried adds more, so the run's own record of the revision before the step wins.
 */
export function withRecordedRevisions(commands: PlanCommand[], rec: StepRecord | undefined): PlanCommand[] {
  if (!rec) return commands;
  return commands.map((c) => {
    if (c.via !== 'helm') return c;
    const offset = c.argv[0] === 'helm' ? 1 : 0;
    const args = c.argv.slice(offset);
    if (args[0] !== 'rollback' || !args[1] || !/^\d+$/.test(args[2] ?? '')) return c;
    const namespace = namespaceArg(args) ?? 'default';
    const before = rec.helmRevisions[`${namespace}/${args[1]}`]?.before;
    if (typeof before !== 'number' || String(before) === args[2]) return c;
    const argv = [...c.argv];
    argv[offset + 2] = String(before);
    return { ...c, argv, description: `roll ${namespace}/${args[1]} back to revision ${before}, recorded before the step ran` };
  });
}
