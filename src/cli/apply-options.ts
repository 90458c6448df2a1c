import { Option, type Command } from 'commander';
import { addOutputOptions, DEFAULTS, HELP_GROUPS, type ConnectionFlags } from './options.js';

/** Flags of the commands that change a cluster (apply, rollback); shared ones come from options.ts. */

export interface RunFlags extends ConnectionFlags {
  stepTimeout: string;
  helm?: string;
  /** Repeatable: `PATH`, or `MINOR=PATH` per Istio minor. */
  istioctl?: string[];
  stateDir?: string;
  events?: string;
  output: string;
  color?: string;
}

/** Execution and output flags of a run; the caller adds the cluster-access ones first, so help lists them first. */
export function addRunOptions(cmd: Command): Command {
  cmd
    .optionsGroup(HELP_GROUPS.execution)
    .option('--step-timeout <duration>', 'time limit of each step (commands, then verification), e.g. 15m, 1h', DEFAULTS.stepTimeout)
    .option('--helm <path>', 'helm binary to run (default: helm on PATH)')
    .option('--istioctl <[minor=]path>', 'istioctl binary to run; repeat as MINOR=PATH for one per Istio minor of a multi-hop plan, e.g. 1.24=/opt/istio-1.24.6/bin/istioctl (default: istioctl on PATH)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--state-dir <dir>', 'where run records and logs are kept (default: $ISTIO_UPGRADE_STATE_DIR or ~/.local/state/istio-upgrade)');
  return addOutputOptions(cmd).option('--events <file>', 'append NDJSON step events to this file (for CI systems)');
}

export function addApplyOptions(cmd: Command): Command {
  return addRunOptions(cmd)
    .optionsGroup(HELP_GROUPS.execution)
    .option('--dry-run', "run a real apply's checks against the cluster (identity, drift, lock, prerequisites; reads only) and print every command in order; exits as the real apply would")
    .option('--offline', 'with --dry-run: do not contact the cluster, only print the plan (for review without access)')
    .option('--resume <run-id>', 'continue this run (by default the unfinished run of the plan is found and continued)')
    .option('--max-plan-age <duration>', 'refuse a plan older than this, e.g. 2h, 30m, 1d')
    .addOption(new Option('--on-failure <action>', 'when a step fails: run its rollback, or stop as it is').choices(['rollback', 'stop']).default(DEFAULTS.onFailure))
    .option('--rollback-timeout <duration>', "time limit of a failed step's rollback (default: the step timeout)")
    .option('-y, --yes', 'run irreversible steps without a typed confirmation (required without a terminal)')
    .option('--skip-analyze', 'do not run istioctl analyze before the first change and after the last step (the run records it as skipped)')
    .option('--verify-key <file>', 'refuse a plan that is not signed by this ed25519 key (PEM, public or private)')
    .option('--allow-any-cluster', 'apply a plan that records no cluster identity (planned from a snapshot without kube-system) to whatever cluster the context reaches')
    .option('--cluster <name>', 'mesh plans: apply only the next part(s) of this cluster, for a staged change window (refused when the mesh order puts another cluster first)');
}
