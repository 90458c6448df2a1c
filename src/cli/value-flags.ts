import { readFileSync, statSync } from 'node:fs';
import { load } from 'js-yaml';
import { ExitCode, UserError } from '../errors.js';
import { retiredHelmValues } from '../plans/catalog/index.js';
import { buildOverrides, parseValuesFlag, type ValueOverrides } from '../plans/value-overrides.js';

/** Commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function readValuesFile(flag: string, file: string): unknown {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${flag}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.usage);
  }
  try {
    return load(text) ?? {};
  } catch (e) {
    throw new UserError(`${flag}: not valid YAML (${(e as Error).message.split('\n')[0]})`, ExitCode.usage);
  }
}

/**
 * Reads `--set` and `--values` and checks every key against the values the target version no longer reads (the
 * catalog in use knows them). Done before the cluster is read, so a bad override changes nothing.
 */
export function readValueOverrides(sets: readonly string[] = [], values: readonly string[] = [], target: string): ValueOverrides | undefined {
  if (!sets.length && !values.length) return undefined;
  const files = values.map((v) => {
    const { component, file } = parseValuesFlag(v);
    return { component, file, content: readValuesFile(`--values ${v}`, file) };
  });
  return buildOverrides(sets, files, retiredHelmValues(target), target);
}
