import { discover } from '../../k8s/discover/index.js';
import { ExitCode, UserError } from '../../errors.js';
import { planCleanup } from '../../plans/planner/cleanup.js';
import { sealPlan } from '../../plans/plan-integrity.js';
import { TOOL_VERSION } from '../../version.js';
import type { RunFlags } from '../apply-options.js';
import { DEFAULTS, validateNamespace, type ClusterOptions } from '../options.js';
import { openSource } from '../source.js';
import { writeFileAtomic, writeStdout } from '../write-output.js';
import { toJson } from '../../report/structured.js';
import { renderPlan } from '../../report/plan/index.js';
import { textStyle } from '../color.js';
import { applyMadePlan } from './apply.js';
import { requireApprovalPossible } from '../../apply/executor.js';
import { terminalConfirmer } from '../../apply/terminal.js';
import { newPlanId, planExitCode } from './plan.js';
import { parseChartSource } from '../../plans/chart-source.js';
import { readdirSync } from 'node:fs';

export interface CleanupOptions extends ClusterOptions, RunFlags {
  chartRepo: string;
  out?: string;
  dryRun?: boolean;
  yes?: boolean;
  allowAnyCluster?: boolean;
  detailedExitcode?: boolean;
}

/**
 * `cleanup`: a plan of its own that removes every revision nothing uses. `--out` saves it for review (`apply FILE`
 * runs it), `--dry-run` prints it, otherwise it runs now: each removal is irreversible, so each is confirmed on a
 * terminal or by `--yes` (without either, refused before any change).
 */
export async function cleanupCommand(opts: CleanupOptions): Promise<number> {
  // A bad --chart-repo is a usage error before anything connects.
  parseChartSource(opts.chartRepo, (dir) => readdirSync(dir));
  if (opts.out && opts.dryRun) throw new UserError('--out saves the cleanup plan without running it; --dry-run is not needed with it', ExitCode.usage);
  if (opts.snapshot && !opts.out && !opts.dryRun) throw new UserError('a cleanup planned from --snapshot can only be saved (--out) or shown (--dry-run); run it against the live cluster', ExitCode.usage);
  const source = await openSource(opts);
  const inventory = await discover(source, { istioNamespace: validateNamespace(opts.istioNamespace) });
  const now = new Date();
  const plan = sealPlan(planCleanup(inventory, { planId: newPlanId(now), now, toolVersion: TOOL_VERSION, chartRepo: opts.chartRepo }));
  const shown = renderPlan(plan, inventory, opts.output, textStyle(opts.color));
  const exit = planExitCode(plan, opts.detailedExitcode ?? false);
  if (opts.out) {
    await writeFileAtomic(opts.out, toJson(plan), 0o644, 'the plan file');
    process.stderr.write(
      plan.blockers.length
        ? `wrote ${opts.out} (cleanup plan ${plan.metadata.id}, BLOCKED by ${plan.blockers.length} blocker(s): apply refuses it)\n`
        : plan.upToDate
          ? `wrote ${opts.out} (cleanup plan ${plan.metadata.id}): nothing to remove\n`
          : `wrote ${opts.out} (cleanup plan ${plan.metadata.id}, digest ${plan.integrity?.digest}); run: istio-upgrade apply ${opts.out}\n`,
    );
  }
  if (opts.out || opts.dryRun || plan.blockers.length || plan.upToDate) {
    await writeStdout(shown);
    if (plan.upToDate && !plan.blockers.length) process.stderr.write(`no unused revision in ${inventory.istioNamespace}: nothing to remove\n`);
    return exit;
  }
  // Each removal is confirmed; without a terminal that takes --yes, said before the lock is even taken.
  requireApprovalPossible(plan, undefined, (opts.yes ?? false) || terminalConfirmer().interactive);
  // Running now: the plan goes to stdout as text, or to stderr when stdout carries the run's result document.
  if (opts.output === 'text') await writeStdout(shown);
  else process.stderr.write(shown);
  return applyMadePlan(plan, { ...opts, onFailure: 'stop', stepTimeout: opts.stepTimeout ?? DEFAULTS.stepTimeout });
}
