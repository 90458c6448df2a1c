// The operator's value overrides put into a plan: every helm install/upgrade of an overridden component carries
// them as a typed `values.overrides` (rendered by the one builder as a second --values), and the plan records
// them by key and digest. The values themselves stay out of the plan; apply is given them again.
import { ExitCode, UserError } from '../errors.js';
import { helmCommand } from '../plan/commands.js';
import type { HelmChartOperation, HelmOperation } from '../plan/operations.js';
import type { Plan, PlanCommand } from '../plan/schema.js';
import { overrideNamed, type ValueOverrides } from './value-overrides.js';

const CHART_COMPONENTS = ['base', 'istiod', 'cni', 'ztunnel'];

type ValuesOperation = Extract<HelmChartOperation, { op: 'install' | 'upgrade' }>;

/** The override component a helm command changes: its chart, and for gateways the release; none for a template. */
export function overrideComponentOf(op: HelmOperation): { op: ValuesOperation; component: string } | undefined {
  if (op.op !== 'install' && op.op !== 'upgrade') return undefined;
  if (op.chart === 'gateway') return { op, component: `gateway/${op.release}` };
  return CHART_COMPONENTS.includes(op.chart) ? { op, component: op.chart } : undefined;
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** A key the plan itself sets on the command would silently beat the operator's (helm applies --set after files). */
function refuseClash(op: ValuesOperation, component: string, o: ValueOverrides): void {
  for (const k of o.keys.filter((x) => x.component === component)) {
    const mine = op.values.settings.find((s) => overlaps(s.key, k.key));
    if (mine) {
      throw new UserError(
        `${overrideNamed(k.from, component, k.key)}: the plan itself sets ${mine.key} on ${op.namespace}/${op.release} (its --${mine.flag} would win over your value); leave that key out`,
        ExitCode.usage,
      );
    }
  }
}

export function withValueOverrides(plan: Plan, o: ValueOverrides): Plan {
  const changed = new Set<string>();
  const used = new Set<string>();
  const apply = (cmd: PlanCommand): PlanCommand => {
    const found = cmd.helm && overrideComponentOf(cmd.helm);
    if (!found) return cmd;
    changed.add(found.component);
    if (!o.byComponent.has(found.component)) return cmd;
    refuseClash(found.op, found.component, o);
    used.add(found.component);
    return helmCommand({ ...found.op, values: { ...found.op.values, overrides: found.component } }, cmd.description);
  };
  const steps = plan.steps.map((s) => ({ ...s, commands: s.commands.map(apply) }));
  // A blocked plan carries no commands and an up-to-date one has none to carry: there is nothing to check against.
  if (!plan.blockers.length && !plan.upToDate) {
    for (const [component] of o.byComponent) {
      if (used.has(component)) continue;
      const from = o.sources.find((s) => s.component === component)!;
      const flag = from.flag === '--set' ? `--set ${component}:${from.key}` : `--values ${component}=${from.file}`;
      throw new UserError(
        `${flag}: this plan installs or upgrades no Helm release of ${component} (it does: ${[...changed].sort().join(', ') || 'none'})`,
        ExitCode.usage,
      );
    }
  }
  return { ...plan, valueOverrides: { sources: o.sources, keys: o.keys }, steps };
}
