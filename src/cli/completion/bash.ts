import type { CommandSpec, CompletionSpec, FlagSpec, Values } from './spec.js';

const fn = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;

/** What COMPREPLY becomes for a set of values; `$cur` is the word being completed. */
function reply(values: Values, program: string): string {
  switch (values.kind) {
    case 'choices':
      return `COMPREPLY=($(compgen -W "${values.choices.join(' ')}" -- "$cur"))`;
    case 'dynamic':
      return `COMPREPLY=($(compgen -W "$(${fn(program)}_values ${values.source})" -- "$cur"))`;
    case 'file':
      return `${fn(program)}_filenames; COMPREPLY=($(compgen -f -- "$cur"))`;
    case 'dir':
      return `${fn(program)}_filenames; COMPREPLY=($(compgen -d -- "$cur"))`;
    default:
      return 'COMPREPLY=()';
  }
}

function valueCases(flags: FlagSpec[], program: string): string[] {
  return flags.filter((f) => f.values.kind !== 'none').map((f) => `        ${f.names.join('|')}) ${reply(f.values, program)}; return ;;`);
}

/** Program flags that still mean something after a command name (--debug; not --version). */
const afterCommand = (globalFlags: FlagSpec[], own: FlagSpec[]) =>
  globalFlags.filter((g) => !g.names.includes('--version') && !g.names.some((n) => own.some((f) => f.names.includes(n))));

function commandCase(c: CommandSpec, globalFlags: FlagSpec[], program: string): string {
  const flags = [...c.flags, ...afterCommand(globalFlags, c.flags)].flatMap((f) => f.names).join(' ');
  const flagReply = `COMPREPLY=($(compgen -W "${flags}" -- "$cur"))`;
  const last =
    c.positional.kind === 'none' || c.positional.kind === 'free' ? `      ${flagReply}` : `      if [[ "$cur" == -* ]]; then ${flagReply}; else ${reply(c.positional, program)}; fi`;
  return [`    ${c.name})`, '      case "$prev" in', ...valueCases(c.flags, program), '      esac', last, '      ;;'].join('\n');
}

/**
 * A bash completion script: `source <(istio-upgrade completion bash)`. Commands, flags and choices are written
 * into the script; kubeconfig contexts and local run ids are asked of the tool when completing (`__complete`).
 */
export function bashCompletion(spec: CompletionSpec): string {
  const f = fn(spec.program);
  const topLevel = [...spec.commands.map((c) => c.name), 'help', ...spec.globalFlags.flatMap((g) => g.names)].join(' ');
  return `# ${spec.program} completion for bash. Load it with: source <(${spec.program} completion bash)

# Values only the tool knows (kubeconfig contexts, local run ids); --kubeconfig and --state-dir on the line apply.
${f}_values() {
  local i extra=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --kubeconfig|--state-dir) extra+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}") ;;
    esac
  done
  "\${COMP_WORDS[0]}" __complete "$1" "\${extra[@]}" 2>/dev/null
}

${f}_filenames() {
  if type compopt &>/dev/null; then compopt -o filenames; fi
}

${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  # --flag=value: bash splits at "=", so look past it.
  if [[ "$cur" == "=" ]]; then cur=""; elif [[ "$prev" == "=" ]]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*|=) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "${topLevel}" -- "$cur")) ;;
    help) COMPREPLY=($(compgen -W "${spec.commands.map((c) => c.name).join(' ')}" -- "$cur")) ;;
${spec.commands.map((c) => commandCase(c, spec.globalFlags, spec.program)).join('\n')}
  esac
}

complete -F ${f} ${spec.program}
`;
}
