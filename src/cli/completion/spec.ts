import type { Command, Help } from 'commander';

/** What a shell may offer after a flag or in a positional slot. */
export type Values =
  | { kind: 'none' }
  | { kind: 'free' }
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'choices'; choices: string[] }
  /** Asked of the tool at completion time: `istio-upgrade __complete <source>`. */
  | { kind: 'dynamic'; source: DynamicSource };

export type DynamicSource = 'contexts' | 'runs';

export interface FlagSpec {
  /** `-o` and `--output` */
  names: string[];
  description: string;
  values: Values;
}

export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  positional: Values;
}

export interface CompletionSpec {
  program: string;
  globalFlags: FlagSpec[];
  commands: CommandSpec[];
}

const FILE_FLAGS = new Set(['--kubeconfig', '--snapshot', '--out', '--events', '--helm', '--istioctl', '--catalog', '--values']);
const DIR_FLAGS = new Set(['--state-dir', '--backup-dir']);
const DYNAMIC_FLAGS: Record<string, DynamicSource> = { '--context': 'contexts', '--resume': 'runs' };
const DYNAMIC_ARGUMENTS: Record<string, DynamicSource> = { 'run-id': 'runs' };
const FILE_ARGUMENTS = new Set(['plan']);

/** Read from the commander tree itself, so the scripts always offer exactly the commands and flags that exist. */
export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  return {
    program: program.name(),
    globalFlags: help.visibleOptions(program).map(flagSpec),
    commands: help
      .visibleCommands(program)
      .filter((c) => c.name() !== 'help')
      .map((c) => ({
        name: c.name(),
        description: c.description(),
        flags: flagsOf(c, help),
        positional: positionalOf(c),
      })),
  };
}

function flagsOf(cmd: Command, help: Help): FlagSpec[] {
  return help.visibleOptions(cmd).map(flagSpec);
}

function flagSpec(o: { short?: string; long?: string; description: string; required: boolean; optional: boolean; argChoices?: string[] }): FlagSpec {
  const names = [o.short, o.long].filter((n): n is string => Boolean(n));
  const long = o.long ?? '';
  let values: Values = { kind: 'none' };
  if (o.required || o.optional) {
    if (o.argChoices) values = { kind: 'choices', choices: o.argChoices };
    else if (DYNAMIC_FLAGS[long]) values = { kind: 'dynamic', source: DYNAMIC_FLAGS[long] };
    else if (FILE_FLAGS.has(long)) values = { kind: 'file' };
    else if (DIR_FLAGS.has(long)) values = { kind: 'dir' };
    else values = { kind: 'free' };
  }
  return { names, description: o.description, values };
}

function positionalOf(cmd: Command): Values {
  const arg = cmd.registeredArguments[0];
  if (!arg) return { kind: 'none' };
  if (arg.argChoices) return { kind: 'choices', choices: arg.argChoices };
  if (DYNAMIC_ARGUMENTS[arg.name()]) return { kind: 'dynamic', source: DYNAMIC_ARGUMENTS[arg.name()]! };
  if (FILE_ARGUMENTS.has(arg.name())) return { kind: 'file' };
  return { kind: 'free' };
}
