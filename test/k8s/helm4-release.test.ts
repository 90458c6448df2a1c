/** Release Secrets written by Helm 4 (`apply_method` in the record) read like Helm 3's, and snapshots keep the method. */
import { describe, expect, test } from 'vitest';
import { decodeHelmReleaseSecret } from '../../src/k8s/helm-release.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { buildSnapshot } from '../../src/k8s/snapshot-writer.js';
import { helmReleaseSecret, istioChart } from '../support/istio-render/index.js';

const spec = {
  name: 'istiod-1-24-6',
  namespace: 'istio-system',
  revision: 3,
  status: 'deployed' as const,
  chart: istioChart('istiod', '1.24.6'),
  values: { revision: '1-24-6', profile: 'ambient' },
  firstDeployed: '2026-11-01T10:00:00Z',
  lastDeployed: '2026-12-01T10:00:00Z',
};

describe('Helm 4 release records', () => {
  test('decode to the same fields as a Helm 3 record, plus the apply method', () => {
    const helm3 = decodeHelmReleaseSecret(helmReleaseSecret(spec) as unknown as KubeObject);
    const helm4 = decodeHelmReleaseSecret(helmReleaseSecret({ ...spec, applyMethod: 'ssa' }) as unknown as KubeObject);
    expect(helm3.applyMethod).toBeUndefined();
    expect(helm4.applyMethod).toBe('ssa');
    expect({ ...helm4, applyMethod: undefined }).toEqual(helm3);
    expect(helm4).toMatchObject({ name: 'istiod-1-24-6', revision: 3, status: 'deployed', chartName: 'istiod', chartVersion: '1.24.6', values: { revision: '1-24-6', profile: 'ambient' } });
  });

  test('a snapshot re-encodes the record without the manifest but keeps apply_method', () => {
    const secret = helmReleaseSecret({ ...spec, applyMethod: 'csa', manifest: 'kind: Deployment\n' }) as unknown as KubeObject;
    const snap = buildSnapshot([secret], { kubernetesVersion: '1.30.4', context: 'c', clusterId: null, now: new Date(0) });
    const back = decodeHelmReleaseSecret(snap.items[0]!);
    expect(back.applyMethod).toBe('csa');
    expect(back.chartVersion).toBe('1.24.6');
  });
});
