import { Chalk, type ChalkInstance } from 'chalk';
import type { TextStyle } from '../report/text/style.js';
import { terminalWidth } from '../report/text/width.js';

/** `--color` beats NO_COLOR, which beats FORCE_COLOR, which beats "is it a terminal". */
export function colorEnabled(flag: string | undefined, stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === 'always') return true;
  if (flag === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Colours as `--color` and the environment say, and the terminal's width: how text reports are laid out. */
export function textStyle(flag: string | undefined): TextStyle {
  return { chalk: makeChalk(colorEnabled(flag)), width: terminalWidth() };
}
