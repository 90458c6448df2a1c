import { lastGoodRevision, type DecodedHelmRelease } from '../helm-release.js';
import type { HelmRelease } from '../inventory.js';
import { redactValues } from '../redact.js';
import type { HelmSecretMeta } from './raw.js';

const COMPONENT_BY_CHART: Record<string, HelmRelease['component']> = {
  base: 'base',
  istiod: 'istiod',
  cni: 'cni',
  ztunnel: 'ztunnel',
  gateway: 'gateway',
  ambient: 'ambient',
  'cert-manager-istio-csr': 'istio-csr',
  revisiontags: 'revisiontags',
};

export function buildHelmReleases(decoded: DecodedHelmRelease[], secrets: HelmSecretMeta[]): HelmRelease[] {
  return decoded
    .map((rel) => {
      const history = secrets
        .filter((s) => s.namespace === rel.namespace && s.release === rel.name)
        .map((s) => ({ revision: s.revision, status: s.status }))
        .sort((a, b) => a.revision - b.revision);
      return {
        name: rel.name,
        namespace: rel.namespace,
        chart: rel.chartName,
        chartVersion: rel.chartVersion,
        appVersion: rel.appVersion ?? null,
        status: rel.status,
        revision: rel.revision,
        component: COMPONENT_BY_CHART[rel.chartName] ?? 'other',
        lastDeployed: rel.lastDeployed ?? null,
        secretName: rel.secretName,
        lastGoodRevision: lastGoodRevision(history),
        history,
        values: redactValues(rel.values),
        ...(rel.applyMethod ? { applyMethod: rel.applyMethod } : {}),
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
