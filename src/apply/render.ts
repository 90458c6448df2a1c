import { apiArgv, invocationOf, type Invocation, type Resolved } from '../plan/commands.js';
import type { ApiAction, Plan, PlanCommand, VerifySpec } from '../plan/schema.js';
import { shellLine } from '../plan/shell.js';
import type { Tool } from './ports.js';

/** How a command is shown to people: exactly what runs, with the context flag apply adds. */
export interface DisplayContext {
  context: string;
  display(tool: Tool, args: string[]): string[];
}

function kubectl(context: string, ...args: string[]): string {
  return shellLine(['kubectl', ...args, '--context', context]);
}

/**
 * API actions in the kubectl form an operator would type to do the same by hand: for every change, the very line the
 * plan shows (apiArgv, built from the action the executor performs) with the context; the two reads spelled out.
 */
export function kubectlEquivalent(action: ApiAction, context: string): string[] {
  switch (action.type) {
    case 'label-crds':
    case 'unlabel-crds':
    case 'rollout-restart':
    case 'label-namespaces':
    case 'delete-objects':
    case 'delete-admission-policy':
      return [shellLine([...apiArgv(action), '--context', context])];
    case 'apply-gateway-api-crds':
      return [`${shellLine([...apiArgv(action), '--context', context])}   # applied only if every object is a Gateway API v${action.version} ${action.channel} CRD`];
    case 'apply-rendered':
      return [`${shellLine([...apiArgv(action), '--context', context])}   # stdin: the output of the previous command`];
    case 'export-backup': {
      const d = action.directory;
      return [
        `${kubectl(context, 'get', 'crd', '-o', 'yaml')}   # the *.istio.io CRDs → ${d}/crds.yaml`,
        `${kubectl(context, 'get', '<plural>.<group>', '-A', '-o', 'yaml')}   # every custom resource of those CRDs → ${d}/resources/`,
        `${kubectl(context, 'get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'yaml')}   # Istio's webhooks → ${d}/webhooks.yaml`,
        ...action.helmReleases.map((r) => `${shellLine(['helm', 'get', 'values', r.release, '-n', r.namespace, '-o', 'yaml', '--kube-context', context])}   # → ${d}/values/${r.namespace}-${r.release}.yaml`),
        `# files are written 0600, with an index at ${d}/index.json`,
      ];
    }
    case 'preflight-checks':
      return [`${shellLine(['istio-upgrade', 'status', '--context', context])}   # no Helm release of the mesh is pending-*, every istiod revision is healthy`];
    case 'apply-objects':
      return [`${shellLine([...apiArgv(action), '--context', context])}   # ${action.file} is written beside the plan`];
  }
}

/** A rollback's revision when the run recorded it, else its `<revision-before:…>` placeholder. */
function displayed(cmd: PlanCommand, resolved: Resolved): Invocation {
  try {
    return invocationOf(cmd, resolved);
  } catch {
    return invocationOf(cmd);
  }
}

/**
 * The lines a plan command prints as: what its typed operation runs for helm/istioctl (with the revisions the run
 * recorded, when there is a run), kubectl equivalents for API actions.
 */
export function commandLines(cmd: PlanCommand, ctx: DisplayContext, resolved: Resolved = {}): string[] {
  const run = displayed(cmd, resolved);
  if (run.tool === 'kubernetes-api') return kubectlEquivalent(run.action, ctx.context);
  const line = shellLine(ctx.display(run.tool, run.args));
  const notes: string[] = [];
  if (cmd.valuesFrom) notes.push(`--values: a temporary 0600 file holding \`helm get values ${cmd.valuesFrom.release} -n ${cmd.valuesFrom.namespace} -o yaml\`, deleted afterwards`);
  const overrides = cmd.helm && 'values' in cmd.helm ? cmd.helm.values.overrides : undefined;
  if (overrides !== undefined) notes.push(`--values: a temporary 0600 file holding the --set/--values overrides of ${overrides} given to apply, deleted afterwards`);
  if (cmd.optional) notes.push(`optional: skipped when ${cmd.via} is not installed`);
  return [line, ...notes.map((n) => `# ${n}`)];
}

export function describeVerify(spec: VerifySpec): string {
  switch (spec.type) {
    case 'helm-release':
      return spec.absent
        ? `Helm release ${spec.namespace}/${spec.release} is gone`
        : `Helm release ${spec.namespace}/${spec.release} is ${spec.status}${spec.chartVersion ? ` with chart ${spec.chartVersion}` : ''}`;
    case 'deployment-rollout':
      return `Deployment ${spec.namespace}/${spec.name} rolled out (generation observed, all replicas updated and available, no old pods)`;
    case 'daemonset-rollout':
      return `DaemonSet ${spec.namespace}/${spec.name} rolled out on every node${spec.version ? ` running ${spec.version}` : ''}`;
    case 'tag-points-to':
      return `revision tag ${spec.tag} points at ${spec.revision} (webhook istio-revision-tag-${spec.tag}, and its Service when present)`;
    case 'default-validator':
      return `istiod-default-validator is labelled istio.io/rev=${spec.revision} and calls Service ${spec.namespace}/${spec.service}, which exists`;
    case 'crds-helm-owned':
      return `every *.istio.io CRD is owned by Helm release ${spec.namespace}/${spec.release}`;
    case 'crds-not-labelled':
      return `no *.istio.io CRD carries ${spec.labels.join(', ')}`;
    case 'workloads-restarted':
      return `${spec.workloads.length} workload(s) restarted and rolled out${spec.revision ? `, pods injected by ${spec.revision}` : ''}${spec.proxyVersion ? ` running proxy ${spec.proxyVersion}` : ''}`;
    case 'namespaces-labelled':
      return `namespace(s) ${spec.namespaces.join(', ')} have ${spec.value === null ? `no ${spec.label} label` : `${spec.label}=${spec.value}`}`;
    case 'revision-absent':
      return `revision ${spec.revision} is gone (no istiod Deployment, no injector webhook)`;
    case 'backup-written':
      return `backup complete in ${spec.directory}`;
    case 'preflight-passed':
      return 'preflight checks pass';
    case 'gateway-api-bundle':
      return `Gateway API CRD(s) ${spec.crds.join(', ')} carry bundle-version v${spec.version}`;
  }
}

/** `confirm` is the word a person must type before an irreversible step; the revision it removes. */
export function confirmationWord(step: Plan['steps'][number]): string {
  const absent = step.verify.find((v) => v.type === 'revision-absent');
  return absent && absent.type === 'revision-absent' ? absent.revision : step.id;
}
