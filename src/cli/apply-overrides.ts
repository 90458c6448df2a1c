import { dump } from 'js-yaml';
import { ExitCode, UserError } from '../errors.js';
import type { Plan } from '../plan/schema.js';
import type { OverrideSource } from '../plans/value-overrides.js';
import { overridesFor, readOverrideInputs, readValuesFile, type OverrideInputs, type ValueFlags } from './value-flags.js';

const refuse = (message: string): UserError => new UserError(message, ExitCode.blocked);

const shown = (s: OverrideSource): string => (s.flag === '--set' ? `--set ${s.component}:${s.key}=…` : `--values ${s.component}=${s.file}`);

/** A plan holds no override value: without flags, apply re-reads the files the plan names; a --set must be given again. */
function rereadPlanned(plan: Plan, sources: OverrideSource[]): OverrideInputs {
  const set = sources.find((s) => s.flag === '--set');
  if (set) throw refuse(`plan ${plan.metadata.id} was made with ${shown(set)}, whose value it does not hold: give apply the same --set and --values flags`);
  return { sets: [], files: sources.map((s) => readValuesFile(s.component, (s as { file: string }).file, `the plan's --values ${s.component}=${(s as { file: string }).file}`)) };
}

function compareSources(plan: Plan, planned: OverrideSource[], given: OverrideSource[]): void {
  const id = plan.metadata.id;
  for (let i = 0; i < Math.max(planned.length, given.length); i++) {
    const p = planned[i];
    const g = given[i];
    if (!p) throw refuse(`apply was given ${shown(g!)}, which plan ${id} was not made with; value overrides are planned: plan again with it`);
    if (!g) throw refuse(`plan ${id} was made with ${shown(p)} too: give apply the same --set and --values flags, in the same order`);
    if (p.flag !== g.flag || p.component !== g.component || (p.flag === '--set' && g.flag === '--set' && p.key !== g.key)) {
      throw refuse(`apply was given ${shown(g)} where plan ${id} has ${shown(p)}: give the same --set and --values flags, in the same order`);
    }
    if (p.flag === '--values' && g.flag === '--values' && p.sha256 !== g.sha256) {
      throw refuse(`--values ${g.component}=${g.file}: its content (${g.sha256.slice(0, 19)}…) is not the file plan ${id} was made with (${p.sha256.slice(0, 19)}… from ${p.file}); plan again`);
    }
    if (p.flag === '--set' && g.flag === '--set' && p.digest !== g.digest) {
      throw refuse(`--set ${g.component}:${g.key}: the value is not the one plan ${id} was made with; plan again, or give the same value`);
    }
  }
}

/**
 * The value overrides a plan's helm commands name (`<overrides-of:COMPONENT>`), as YAML per component, from the
 * flags given to apply (or the files the plan names), refused before anything changes when they are not the
 * ones the plan was made with. Undefined when the plan has none.
 */
export function overridesForApply(plan: Plan, flags: ValueFlags): Map<string, string> | undefined {
  const given = readOverrideInputs(flags);
  const recorded = plan.valueOverrides;
  if (!recorded) {
    if (given) throw refuse(`plan ${plan.metadata.id} was made without --set/--values; value overrides are planned: plan again with them`);
    return undefined;
  }
  const overrides = overridesFor(given ?? rereadPlanned(plan, recorded.sources), plan.target.version);
  compareSources(plan, recorded.sources, overrides.sources);
  return new Map([...overrides.byComponent].map(([component, tree]) => [component, dump(tree, { noRefs: true })]));
}
