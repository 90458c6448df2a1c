import type { ChalkInstance } from 'chalk';

/** How text reports are laid out: colours (or none) and the width to wrap and fit tables to. */
export interface TextStyle {
  chalk: ChalkInstance;
  width: number;
}
