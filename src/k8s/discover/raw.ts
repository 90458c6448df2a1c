import type { KubeObject } from '../objects.js';
import type { DecodedHelmRelease } from '../helm-release.js';

/** A pod reduced to what the inventory uses; keeps memory flat on clusters with many pods. */
export interface LeanPod {
  namespace: string;
  name: string;
  /** Injecting revision (annotation `istio.io/rev`). */
  revision: string | null;
  proxyImage: string | null;
  owner: { kind: string; name: string } | null;
  podTemplateHash: string | null;
  ambientRedirected: boolean;
  phase: string | null;
}

export interface HelmSecretMeta {
  namespace: string;
  secretName: string;
  release: string;
  revision: number;
  status: string;
}

/** Everything read from the cluster, before interpretation. */
export interface RawCluster {
  istioNamespace: string;
  kubernetesVersion: string;
  context: string | null;
  capturedAt: string | null;
  clusterId: string | null;
  nodes: KubeObject[];
  namespaces: KubeObject[];
  istiodDeployments: KubeObject[];
  gatewayDeployments: KubeObject[];
  operatorDeployments: KubeObject[];
  istioCsrDeployments: KubeObject[];
  /** name/namespace of every Deployment (metadata only), for resolving pod owners. */
  deploymentKeys: Set<string>;
  mutatingWebhooks: KubeObject[];
  validatingWebhooks: KubeObject[];
  tagServices: KubeObject[];
  istioConfigMaps: KubeObject[];
  /** The mesh ConfigMaps (istio, istio-<revision>) of the istiod Deployments found, with their data. */
  meshConfigMaps: KubeObject[];
  daemonSets: KubeObject[];
  helmSecrets: HelmSecretMeta[];
  helmReleases: DecodedHelmRelease[];
  helmDecodeErrors: string[];
  injectedPods: LeanPod[];
  ambientPods: LeanPod[];
  crds: KubeObject[];
  gatewayApiGateways: KubeObject[];
  istioOperators: KubeObject[];
  sailIstios: KubeObject[];
  /** `istio/multiCluster=true` Secrets of the Istio namespace, metadata only. */
  remoteSecrets: KubeObject[];
  /** Services labelled `topology.istio.io/network` (east-west gateways). */
  networkServices: KubeObject[];
  /** Key names of the plugged-in CA Secret `cacerts` (never its values); null when absent, 'unknown' when it could not be read. */
  cacertsKeys: string[] | null | 'unknown';
}
