import { Option, type Command } from 'commander';
import { UserError, ExitCode } from '../errors.js';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  istioNamespace: string;
  snapshot?: string;
  kubernetesVersion?: string;
}

export interface OutputOptions {
  output: string;
  color?: string;
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--istio-namespace <ns>', 'namespace of the Istio control plane', 'istio-system')
    .option('--snapshot <file>', 'read a ClusterSnapshot or `kubectl get -o yaml` List instead of a live cluster')
    .option('--kubernetes-version <version>', 'server version for a --snapshot that is a plain List');
}

export function addOutputOptions(cmd: Command, formats: string[]): Command {
  return cmd
    .addOption(new Option('-o, --output <format>', 'output format').choices(formats).default(formats[0]))
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'));
}

export function validateNamespace(ns: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
    throw new UserError(`--istio-namespace "${ns}" is not a valid namespace name`, ExitCode.usage);
  }
  return ns;
}

/** What `plan` and `apply --to` need to build a plan. */
export function addPlanningOptions(cmd: Command): Command {
  return cmd
    .option('--to <version>', 'target Istio version: 1.24 (newest known patch), 1.24.2, or latest')
    .addOption(new Option('--strategy <strategy>', 'canary (new revision beside the old) or in-place').choices(['canary', 'in-place']).default('canary'))
    .option('--max-minor-jump <n>', 'minors per canary hop (Istio supports 2; ambient and in-place always use 1)', '2')
    .option('--compatibility-version <v>', 'auto, none, or a minor such as 1.23, applied per hop', 'auto')
    .option('--revision <name>', 'name of the new revision (default: derived from the version, e.g. 1-24-2)')
    .option('--tag-order <tags>', 'comma-separated order for moving revision tags (default: fewest namespaces first, default last)')
    .option('--include-cleanup', 'also remove the old revision when nothing uses it (irreversible)')
    .option('--allow-downgrade', 'allow a target older than the installed version')
    .option('--allow-unknown-version', 'allow a target newer than the release catalog (no upgrade notes known)')
    .option('--chart-repo <repo>', 'Helm chart repository alias or OCI prefix', 'istio')
    .option('--backup-dir <dir>', 'where the backup step writes (default: ./istio-upgrade-backup-<plan id>)')
    .option('--restart-batch-size <n>', 'workloads restarted per batch', '10');
}
