import type { Plan } from '../plan/schema.js';
import { minorOf } from '../util/version.js';
import { describeComparison, formatAnalyzeMessage, runAnalyze, type AnalyzeResult, type AnalyzeRunner } from './analyze-check.js';
import type { LogSink, Runner } from './ports.js';

const ANALYZE_TIMEOUT_MS = 120_000;

export type AnalyzeWhen = 'before' | 'after';

/** What the executor calls: `istioctl analyze` of the mesh before the first change or after the last step. */
export type MeshAnalyzer = (when: AnalyzeWhen, plan: Plan, signal: AbortSignal, log?: LogSink) => Promise<AnalyzeResult>;

/** The analyze port over the run's Runner, with the istioctl given for `istioMinor` (--istioctl 1.24=PATH), else PATH. */
function analyzeRunner(runner: Runner, istioMinor: string, signal: AbortSignal, log: LogSink | undefined): AnalyzeRunner {
  return {
    available: () => runner.available('istioctl', istioMinor),
    run: async (args) => {
      const r = await runner.run({ tool: 'istioctl', args, istioMinor, timeoutMs: ANALYZE_TIMEOUT_MS, signal, ...(log ? { log } : {}) });
      if (r.ok) return { exitCode: 0, stdout: r.stdout, stderr: '' };
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout ?? '', stderr: r.exitCode === undefined ? r.message : (r.output ?? r.message) };
    },
  };
}

/**
 * Before: the source revision's view with the source minor's istioctl; after: the target revision's with the target
 * minor's. A missing istioctl is recorded as skipped ("istioctl not found"), never a failure of the run.
 */
export function meshAnalyzer(runner: Runner): MeshAnalyzer {
  return (when, plan, signal, log) => {
    const [version, revision] = when === 'before' ? [plan.source.version, plan.source.revision] : [plan.target.version, plan.target.revision];
    return runAnalyze(analyzeRunner(runner, minorOf(version), signal, log), revision, plan.source.istioNamespace);
  };
}

/** An analyzer that runs nothing: the record and the output say it was skipped, and why. */
export function skippedAnalyzer(reason: string): MeshAnalyzer {
  return async () => ({ status: 'skipped', reason });
}

/** Lines for the person and the run record: what the mesh looked like before, and what the run changed after. */
export function analyzeLines(when: AnalyzeWhen, before: AnalyzeResult | undefined, result: AnalyzeResult): string[] {
  if (when === 'after') return describeComparison(before ?? { status: 'skipped', reason: 'not run before the first change of this run' }, result);
  if (result.status !== 'ran') return [`istioctl analyze before: ${result.status}: ${result.reason}`];
  const counted = (level: string) => result.messages.filter((m) => m.level === level).length;
  return [
    `istioctl analyze before: ${result.messages.length} message(s) (${counted('Error')} error, ${counted('Warning')} warning, ${counted('Info')} info); pre-existing messages never stop the run`,
    ...result.messages.filter((m) => m.level !== 'Info').map((m) => `before: ${formatAnalyzeMessage(m)}`),
  ];
}
