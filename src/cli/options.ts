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
