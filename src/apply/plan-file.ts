import { readRegularFile } from '../util/regular-file.js';
import { load } from 'js-yaml';
import { ExitCode, UserError } from '../errors.js';
import { OLDER_PLAN_API_VERSIONS, type Plan } from '../plan/schema.js';
import { planSchema } from '../steps/registry.js';
import { formatZodIssue } from '../util/zod-errors.js';
import { checkPlanIntegrity } from '../plans/plan-integrity.js';

/** Reads a plan written by `plan --out` (JSON; YAML is accepted too) and validates every field. */
export async function readPlanFile(path: string): Promise<Plan> {
  const text = await readRegularFile(path, { what: 'plan', maxBytes: 64 * 1024 * 1024, fix: 'pass a file written by istio-upgrade plan --out' });
  if (!text.trim()) throw new UserError(`plan file ${path} is empty: write one with istio-upgrade plan --out ${path}`);
  return parsePlanText(text, path);
}

export function parsePlanText(text: string, path: string): Plan {
  let doc: unknown;
  try {
    doc = /^\s*[{[]/.test(text) ? JSON.parse(text) : load(text);
  } catch (e) {
    throw new UserError(`${path} is not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const version = (doc as { apiVersion?: unknown } | null)?.apiVersion;
  if (typeof version === 'string' && OLDER_PLAN_API_VERSIONS.includes(version)) {
    throw new UserError(`${path} was made by an older istio-upgrade (${version}); re-run plan`, ExitCode.blocked, 'make a new plan with istio-upgrade plan --out; this version rebuilds every command from typed operations, which that plan does not have');
  }
  const parsed = planSchema.safeParse(doc);
  if (!parsed.success) throw new UserError(`${path} is not a valid plan: ${formatZodIssue(parsed.error)}`, ExitCode.error);
  const plan = parsed.data;
  const seen = new Set<string>();
  for (const s of plan.steps) {
    // Run records match steps by id: two steps with one id would share a checkpoint.
    if (seen.has(s.id)) throw new UserError(`${path} is not a valid plan: step id ${s.id} appears twice; make a new plan`);
    seen.add(s.id);
  }
  checkPlanIntegrity(plan, path);
  return plan;
}
