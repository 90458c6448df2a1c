import type { Command } from 'commander';
import { bashCompletion } from '../completion/bash.js';
import { fishCompletion } from '../completion/fish.js';
import { completionSpec } from '../completion/spec.js';
import { zshCompletion } from '../completion/zsh.js';
import { writeStdout } from '../write-output.js';

const GENERATORS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

export async function completionCommand(program: Command, shell: keyof typeof GENERATORS): Promise<number> {
  await writeStdout(GENERATORS[shell](completionSpec(program)));
  return 0;
}
