import { Option, type Command } from 'commander';

/** Flags of the commands that change a cluster (apply, rollback) and of those that read run state. */

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
}

export interface RunFlags extends ConnectionFlags {
  stepTimeout: string;
  helm?: string;
  istioctl?: string;
  stateDir?: string;
  events?: string;
  output: string;
  color?: string;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use');
}

export function addNamespaceOption(cmd: Command): Command {
  return cmd.option('--istio-namespace <ns>', 'namespace of the Istio control plane (holds the lock and the run records)', 'istio-system');
}

export function addRunOptions(cmd: Command): Command {
  return addConnectionOptions(cmd)
    .option('--step-timeout <duration>', 'time limit of each step (commands, then verification), e.g. 15m, 1h', '15m')
    .option('--helm <path>', 'helm binary to run (default: helm on PATH)')
    .option('--istioctl <path>', 'istioctl binary to run (default: istioctl on PATH)')
    .option('--state-dir <dir>', 'where run records and logs are kept (default: $ISTIO_UPGRADE_STATE_DIR or ~/.local/state/istio-upgrade)')
    .option('--events <file>', 'append NDJSON step events to this file')
    .addOption(new Option('-o, --output <format>', 'output format of the result').choices(['text', 'json']).default('text'))
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'));
}

export function addApplyOptions(cmd: Command): Command {
  return addRunOptions(cmd)
    .option('--dry-run', 'print every command, API action, verification and rollback in order; change nothing')
    .option('--resume <run-id>', 'continue this run (by default the unfinished run of the plan is found and continued)')
    .option('--max-plan-age <duration>', 'refuse a plan older than this, e.g. 2h, 30m, 1d')
    .addOption(new Option('--on-failure <action>', 'when a step fails: run its rollback, or stop as it is').choices(['rollback', 'stop']).default('rollback'))
    .option('--rollback-timeout <duration>', 'time limit of a failed step\'s rollback (default: the step timeout)')
    .option('-y, --yes', 'run irreversible steps without a typed confirmation (required without a terminal)');
}
