import { delimiter } from 'node:path';

/**
 * helm and istioctl get an environment built from scratch so they reach exactly the cluster this process checked:
 * our KUBECONFIG file list plus an explicit context flag. Variables that would point them elsewhere (HELM_KUBE*,
 * HELM_NAMESPACE, the caller's KUBECONFIG) are dropped. What they need to find the operator's configuration and to
 * authenticate the way we do is kept:
 * - XDG_CONFIG_HOME / XDG_CACHE_HOME / XDG_DATA_HOME: helm's repositories file, registry logins, plugins and caches;
 * - HELM_* other than cluster selection (HELM_REPOSITORY_CONFIG, HELM_REGISTRY_CONFIG, HELM_CACHE_HOME…);
 * - SSL_CERT_FILE / SSL_CERT_DIR (a corporate CA for a mirror), KUBECACHEDIR, DOCKER_CONFIG (OCI logins);
 * - proxies and TMPDIR;
 * - what the common kubeconfig credential plugins read: gke-gcloud-auth-plugin (USE_GKE_GCLOUD_AUTH_PLUGIN,
 *   CLOUDSDK_*, GOOGLE_APPLICATION_CREDENTIALS), aws eks get-token / aws-iam-authenticator (AWS_*), Azure kubelogin
 *   (AZURE_*, ARM_*, AAD_*), OIDC kubelogin (OIDC_*).
 */

/** HELM_* settings that select a cluster or namespace; the plan and our flags decide those. */
const HELM_CLUSTER_SETTINGS = /^HELM_(KUBE[A-Z_]*|NAMESPACE)$/;

const PASS_THROUGH = [
  /^(HTTPS?|NO)_PROXY$/i,
  /^TMPDIR$/,
  /^XDG_(CONFIG|CACHE|DATA)_HOME$/,
  /^SSL_CERT_(FILE|DIR)$/,
  /^KUBECACHEDIR$/,
  /^DOCKER_CONFIG$/,
  /^USE_GKE_GCLOUD_AUTH_PLUGIN$/,
  /^GOOGLE_APPLICATION_CREDENTIALS$/,
  /^CLOUDSDK_[A-Z0-9_]+$/,
  /^AWS_[A-Z0-9_]+$/,
  /^(AZURE|ARM|AAD)_[A-Z0-9_]+$/,
  /^OIDC_[A-Z0-9_]+$/,
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
