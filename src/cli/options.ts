import { Option, type Command } from 'commander';
import { UserError, ExitCode } from '../errors.js';
import { REQUEST_TIMEOUT_FLAG } from './connection.js';
import { ISTIO_HELM_REPOSITORY } from '../plans/chart-source.js';

/**
 * Every flag shared by two or more commands is declared here, once, with its default; commands combine these
 * groups. The help output shows each group under its own heading, the order kubectl and helm users scan.
 */
export const HELP_GROUPS = {
  cluster: 'Cluster access:',
  planning: 'Planning:',
  execution: 'Execution:',
  output: 'Output:',
} as const;

/** Defaults of the shared flags; `apply --to` plans with the same ones as `plan`. */
export const DEFAULTS = {
  istioNamespace: 'istio-system',
  output: 'text',
  color: 'auto',
  strategy: 'canary',
  maxMinorJump: '2',
  compatibilityVersion: 'auto',
  chartRepo: ISTIO_HELM_REPOSITORY,
  restartBatchSize: '10',
  stepTimeout: '15m',
  onFailure: 'rollback',
} as const;

export const DOCUMENT_FORMATS = ['text', 'json', 'yaml'] as const;

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
}

export interface ClusterOptions extends ConnectionFlags {
  istioNamespace: string;
  snapshot?: string;
  kubernetesVersion?: string;
}

export interface OutputOptions {
  output: string;
  color?: string;
}

/** commander collector: the first value stays a string (single-cluster commands are unchanged), repeats make a list. */
export function collectRepeated(value: string, previous: string | string[] | undefined): string | string[] {
  return previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
}

/** commander collector of a repeatable flag: always a list. */
export const collectList = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `multiCluster`: --context repeats (one per cluster of a multi-cluster mesh), as status and plan accept. */
export function addConnectionOptions(cmd: Command, multiCluster = false): Command {
  cmd.optionsGroup(HELP_GROUPS.cluster).option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)');
  if (multiCluster) cmd.option('--context <name>', 'kubeconfig context to use; repeat it for the clusters of a multi-cluster mesh', collectRepeated);
  else cmd.option('--context <name>', 'kubeconfig context to use');
  return cmd.option(...REQUEST_TIMEOUT_FLAG);
}

export function addNamespaceOption(cmd: Command, description = 'namespace of the Istio control plane'): Command {
  return cmd.optionsGroup(HELP_GROUPS.cluster).option('--istio-namespace <ns>', description, DEFAULTS.istioNamespace);
}

/** A live cluster, or a snapshot file read instead of it; with `multiCluster`, several of either, or a --mesh file. */
export function addClusterOptions(cmd: Command, multiCluster = false): Command {
  const c = addNamespaceOption(addConnectionOptions(cmd, multiCluster));
  if (multiCluster) {
    c.option('--snapshot <file>', 'read a ClusterSnapshot or `kubectl get -o yaml` List instead of a live cluster; repeat it for the clusters of a multi-cluster mesh', collectRepeated).option(
      '--mesh <file>',
      'YAML naming the clusters of a multi-cluster mesh: clusters: [{name, kubeconfig, context | snapshot, role}]',
    );
  } else c.option('--snapshot <file>', 'read a ClusterSnapshot or `kubectl get -o yaml` List instead of a live cluster');
  return c.option('--kubernetes-version <version>', 'server version for a --snapshot that is a plain List');
}

export function addOutputOptions(cmd: Command, formats: readonly string[] = DOCUMENT_FORMATS): Command {
  return cmd
    .optionsGroup(HELP_GROUPS.output)
    .addOption(new Option('-o, --output <format>', 'output format').choices(formats).default(formats[0]))
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default(DEFAULTS.color));
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
    .optionsGroup(HELP_GROUPS.planning)
    .option('--to <version>', 'target Istio version: 1.24 (newest known patch), 1.24.2, or latest')
    .addOption(new Option('--strategy <strategy>', 'canary (new revision beside the old) or in-place').choices(['canary', 'in-place']).default(DEFAULTS.strategy))
    .option('--max-minor-jump <n>', 'minors per canary hop (Istio supports 2; ambient and in-place always use 1)', DEFAULTS.maxMinorJump)
    .option('--compatibility-version <v>', 'auto, none, or a minor such as 1.23, applied per hop', DEFAULTS.compatibilityVersion)
    .option('--revision <name>', 'name of the new revision (default: derived from the version, e.g. 1-24-2)')
    .option('--tag-order <tags>', 'comma-separated order for moving revision tags (default: fewest namespaces first, default last)')
    .option('--include-cleanup', 'also remove the old revision when nothing uses it (irreversible)')
    .option('--allow-downgrade', 'allow a target older than the installed version')
    .option('--allow-unknown-version', 'allow a target newer than the release catalog (no upgrade notes known)')
    .option('--catalog <file>', 'release catalog file merged over (or replacing) the built-in one, e.g. for a newer Istio release (docs/catalog.md)')
    .option('--chart-repo <source>', "where the charts come from: a Helm repository URL, an oci:// prefix, a local chart directory (air-gapped), or a `helm repo add` alias; default Istio's repository", DEFAULTS.chartRepo)
    .option('--hub <registry>', 'the image registry every chart the plan installs pulls from (a mirror of docker.io/istio), e.g. registry.example.com/istio')
    .option('--set <component:key=value>', 'a Helm value for one component, on top of the values its release has: base, istiod, cni, ztunnel or gateway/NAME, e.g. istiod:pilot.env.PILOT_ENABLE_AMBIENT=true (repeatable; the plan records the key, never the value; give the same flags to apply)', collectList)
    .option('--values <component=file>', 'a Helm values file for one component, e.g. istiod=istiod-values.yaml (repeatable; files are merged in order, then --set; the plan records the file and its sha256, and apply re-reads it)', collectList)
    .option('--skip-gateway-api-crds', 'do not upgrade the Gateway API CRDs (a platform team owns them); the plan warns with the bundle the target needs')
    .option('--gateway-api-releases <url>', 'where apply fetches Gateway API release manifests: a mirror of the project\'s GitHub release downloads (default)')
    .option('--istio-operator-file <file>', 'the IstioOperator file the running istioctl install was made from (required for istioctl installs; its sha256 is recorded in the plan)')
    .option('--backup-dir <dir>', 'where the backup step writes (default: ./istio-upgrade-backup-<from>-to-<to>)')
    .option('--restart-batch-size <n>', 'workloads restarted per batch', DEFAULTS.restartBatchSize);
}
