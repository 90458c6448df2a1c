import { bashCompletion } from './bash.js';
import type { CompletionSpec } from './spec.js';

/**
 * zsh runs the bash script through its bashcompinit layer (what terraform's and az's zsh completions do): one
 * script to keep right instead of two.
 */
export function zshCompletion(spec: CompletionSpec): string {
  return `#compdef ${spec.program}
# ${spec.program} completion for zsh. Load it with: source <(${spec.program} completion zsh)
# or save it as _${spec.program} in a directory of $fpath.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit

${bashCompletion(spec)}`;
}
