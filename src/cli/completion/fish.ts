import type { CompletionSpec, FlagSpec, Values } from './spec.js';

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function valueArgs(values: Values, program: string): string {
  switch (values.kind) {
    case 'none':
      return '';
    case 'choices':
      return ` -x -a ${quote(values.choices.join(' '))}`;
    case 'dynamic':
      return ` -x -a ${quote(`(${program} __complete ${values.source} (__fish_${program.replace(/-/g, '_')}_passed_flags))`)}`;
    case 'file':
    case 'dir':
      return ' -r -F';
    default:
      return ' -x';
  }
}

function flagLine(program: string, condition: string, f: FlagSpec): string {
  const names = f.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
  return `complete -c ${program} -n ${quote(condition)} ${names}${valueArgs(f.values, program)} -d ${quote(f.description)}`;
}

/** A fish completion script: `istio-upgrade completion fish | source`. */
export function fishCompletion(spec: CompletionSpec): string {
  const p = spec.program;
  const passed = `__fish_${p.replace(/-/g, '_')}_passed_flags`;
  const lines = [
    `# ${p} completion for fish. Load it with: ${p} completion fish | source`,
    `# --kubeconfig and --state-dir on the command line apply to the contexts and run ids offered.`,
    `function ${passed}`,
    '    set -l words (commandline -opc)',
    '    for i in (seq (count $words))',
    '        switch $words[$i]',
    '            case --kubeconfig --state-dir',
    '                set -l next (math $i + 1)',
    '                test $next -le (count $words); and printf "%s\\n" $words[$i] $words[$next]',
    '        end',
    '    end',
    'end',
    `complete -c ${p} -f`,
    ...spec.globalFlags.map((f) => flagLine(p, 'true', f)),
  ];
  for (const c of spec.commands) {
    lines.push(`complete -c ${p} -n '__fish_use_subcommand' -a ${c.name} -d ${quote(c.description)}`);
    const inCommand = `__fish_seen_subcommand_from ${c.name}`;
    for (const f of c.flags) lines.push(flagLine(p, inCommand, f));
    if (c.positional.kind !== 'none' && c.positional.kind !== 'free') {
      lines.push(`complete -c ${p} -n ${quote(inCommand)}${valueArgs(c.positional, p).replace(' -x', '').replace(' -r', '')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
