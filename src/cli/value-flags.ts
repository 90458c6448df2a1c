import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { load } from 'js-yaml';
import { ExitCode, UserError } from '../errors.js';
import { retiredHelmValues } from '../plans/catalog/index.js';
import { buildOverrides, parseSet, parseValuesFlag, type ValueOverrides, type ValuesFileInput } from '../plans/value-overrides.js';

/** `--set COMPONENT:key=value` and `--values COMPONENT=FILE`, as commander collects them (repeatable). */
export interface ValueFlags {
  set?: string[];
  values?: string[];
}

/** What the flags say, read and checked for form, before the target (and so the retired keys) is known. */
export interface OverrideInputs {
  sets: string[];
  files: ValuesFileInput[];
}

export function readValuesFile(component: string, file: string, flag = `--values ${component}=${file}`): ValuesFileInput {
  let bytes: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(`${flag}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.usage);
  }
  let content: unknown;
  try {
    content = load(bytes.toString('utf8')) ?? {};
  } catch (e) {
    throw new UserError(`${flag}: not valid YAML (${(e as Error).message.split('\n')[0]})`, ExitCode.usage);
  }
  return { component, file, content, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** Reads the files and checks every flag's form; undefined when no override was given. */
export function readOverrideInputs(flags: ValueFlags): OverrideInputs | undefined {
  const sets = flags.set ?? [];
  const values = flags.values ?? [];
  if (!sets.length && !values.length) return undefined;
  for (const s of sets) parseSet(s);
  const files = values.map((v) => {
    const { component, file } = parseValuesFlag(v);
    return readValuesFile(component, file);
  });
  return { sets, files };
}

/** Merges the overrides and refuses keys the target version no longer reads (the catalog in use knows them). */
export function overridesFor(inputs: OverrideInputs, target: string): ValueOverrides {
  return buildOverrides(inputs.sets, inputs.files, retiredHelmValues(target), target);
}
