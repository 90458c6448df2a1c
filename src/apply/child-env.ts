import { delimiter } from 'node:path';

/**
 * helm and istioctl get an environment built from scratch so they reach exactly the cluster
 * this process checked: our KUBECONFIG file list plus an explicit context flag. Variables
 * that would point them elsewhere (HELM_KUBE*, HELM_NAMESPACE, the caller's KUBECONFIG) are
 * dropped; what they need to run and to authenticate the same way we do is kept.
 */

/** HELM_* settings that select a cluster or namespace; the plan and our flags decide those. */
const HELM_CLUSTER_SETTINGS = /^HELM_(KUBE[A-Z_]*|NAMESPACE)$/;

/** Network and credential-plugin settings: the kubeconfig's exec plugins (aws, gke, azure) read them. */
const PASS_THROUGH = [
  /^(HTTPS?|NO)_PROXY$/i,
  /^TMPDIR$/,
  /^AWS_[A-Z0-9_]+$/,
  /^AZURE_[A-Z0-9_]+$/,
  /^GOOGLE_APPLICATION_CREDENTIALS$/,
  /^CLOUDSDK_[A-Z0-9_]+$/,
];

export function buildChildEnv(caller: NodeJS.ProcessEnv, kubeconfigFiles: string[]): Record<string, string> {
  const env: Record<string, string> = { PATH: caller.PATH || '/usr/local/bin:/usr/bin:/bin' };
  if (caller.HOME) env.HOME = caller.HOME;
  if (kubeconfigFiles.length) env.KUBECONFIG = kubeconfigFiles.join(delimiter);
  else {
    // In a pod without a kubeconfig, helm and istioctl find the API server the same way we did.
    for (const k of ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) if (caller[k]) env[k] = caller[k]!;
  }
  for (const [k, v] of Object.entries(caller)) {
    if (v === undefined) continue;
    if (k.startsWith('HELM_') && !HELM_CLUSTER_SETTINGS.test(k)) env[k] = v;
    else if (PASS_THROUGH.some((re) => re.test(k))) env[k] = v;
  }
  return env;
}
