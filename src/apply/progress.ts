import type { ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';
import type { PlanStep } from '../plan/schema.js';
import { formatDuration } from './duration.js';
import { isoSeconds } from './run-record.js';

export type StepOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'skipped' | 'interrupted';

/** What a person watching the run sees on stderr; the result document goes to stdout. */
export interface Progress {
  /** `undo` when the step is being rolled back rather than run. */
  stepStarted(step: PlanStep, index: number, total: number, undo?: boolean): void;
  /** The command or check in progress. */
  stepUpdate(step: PlanStep, text: string): void;
  stepFinished(step: PlanStep, outcome: StepOutcome, durationMs: number, detail?: string): void;
  info(text: string): void;
  warn(text: string): void;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Spinners only for a person at a terminal; CI logs get timestamped lines. */
  interactive: boolean;
  chalk: ChalkInstance;
  now?: () => number;
}

export function interactiveTerminal(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && !env.CI;
}

export function createProgress(opts: ProgressOptions): Progress {
  return opts.interactive ? new SpinnerProgress(opts) : new LineProgress(opts);
}

class LineProgress implements Progress {
  constructor(private readonly o: ProgressOptions) {}

  private line(text: string): void {
    this.o.stream.write(`${isoSeconds((this.o.now ?? Date.now)())} ${text}\n`);
  }

  stepStarted(step: PlanStep, index: number, total: number, undo = false): void {
    this.line(`step ${step.id}: ${undo ? 'rolling back' : 'started'} (${index + 1}/${total}) ${step.title}`);
  }

  stepUpdate(step: PlanStep, text: string): void {
    this.line(`step ${step.id}: ${text}`);
  }

  stepFinished(step: PlanStep, outcome: StepOutcome, durationMs: number, detail?: string): void {
    const c = this.o.chalk;
    const word = outcome === 'succeeded' || outcome === 'skipped' ? c.green(outcome) : outcome === 'rolled-back' ? c.yellow(outcome) : c.red(outcome);
    const more = beyondOutcome(outcome, detail);
    this.line(`step ${step.id}: ${word} (${formatDuration(durationMs)})${more ? `: ${more}` : ''}`);
  }

  info(text: string): void {
    this.line(text);
  }

  warn(text: string): void {
    this.line(this.o.chalk.yellow(`warning: ${text}`));
  }
}

class SpinnerProgress implements Progress {
  private spinner: Ora | undefined;
  private label = '';

  constructor(private readonly o: ProgressOptions) {}

  stepStarted(step: PlanStep, index: number, total: number, undo = false): void {
    this.label = `[${index + 1}/${total}] ${undo ? 'rollback ' : ''}${step.id}: ${step.title}`;
    // discardStdin would put the terminal in raw mode and swallow Ctrl-C.
    this.spinner = ora({ text: this.label, stream: this.o.stream, discardStdin: false }).start();
  }

  stepUpdate(_step: PlanStep, text: string): void {
    if (this.spinner) this.spinner.text = `${this.label}\n    ${this.o.chalk.dim(text)}`;
  }

  stepFinished(_step: PlanStep, outcome: StepOutcome, durationMs: number, detail?: string): void {
    const c = this.o.chalk;
    const more = beyondOutcome(outcome, detail);
    const text = (word: string) => `${this.label} ${word}${c.dim(`(${formatDuration(durationMs)})`)}${more ? `\n    ${more}` : ''}`;
    const s = this.spinner ?? ora({ stream: this.o.stream, discardStdin: false });
    if (outcome === 'succeeded') s.succeed(text(''));
    else if (outcome === 'skipped') s.info(text(`${c.dim('skipped')} `));
    else if (outcome === 'rolled-back') s.warn(text(`${c.yellow('rolled back')} `));
    else s.fail(text(`${c.red(outcome)} `));
    this.spinner = undefined;
  }

  private outside(write: () => void): void {
    const s = this.spinner;
    if (s?.isSpinning) {
      s.clear();
      write();
      s.render();
    } else write();
  }

  info(text: string): void {
    this.outside(() => this.o.stream.write(`${text}\n`));
  }

  warn(text: string): void {
    this.outside(() => this.o.stream.write(`${this.o.chalk.yellow(`warning: ${text}`)}\n`));
  }
}

/** For tests and `--quiet`-like uses: records nothing, prints nothing. */
export const silentProgress: Progress = {
  stepStarted: () => undefined,
  stepUpdate: () => undefined,
  stepFinished: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

/** The detail of a finished step, unless it only repeats the outcome ("rolled back" after rolled-back). */
export function beyondOutcome(outcome: StepOutcome, detail: string | undefined): string | undefined {
  return detail && detail !== outcome.replace(/-/g, ' ') ? detail : undefined;
}
