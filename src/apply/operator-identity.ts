import * as k8s from '@kubernetes/client-node';
import type { Operator } from './attempts.js';
import { timedApiClient } from './kube-api.js';

/**
 * Who the API server says we are: `SelfSubjectReview` (authentication.k8s.io/v1, served since Kubernetes 1.28) names
 * the authenticated user whatever the credential (token, certificate, exec plugin). Older servers, or a user not
 * allowed to create it, leave the kubeconfig's user entry name, which says less but is still what was used.
 */
export async function operatorIdentity(kc: k8s.KubeConfig, timeoutMs: number): Promise<Operator> {
  const fallback: Operator = { name: kc.getCurrentUser()?.name ?? 'unknown', source: 'kubeconfig' };
  try {
    const api = timedApiClient(kc, k8s.AuthenticationV1Api, timeoutMs);
    const review = await api.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const info = review.status?.userInfo;
    if (!info?.username) return fallback;
    return { name: info.username, ...(info.groups?.length ? { groups: info.groups } : {}), source: 'SelfSubjectReview' };
  } catch {
    return fallback;
  }
}
