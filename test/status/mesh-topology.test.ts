import { describe, expect, it } from 'vitest';
import { inventoryOf } from '../support/plan-cases.js';
import { fixtureNames } from '../support/fixtures.js';
import type { MeshTopology } from '../../src/k8s/inventory.js';
import { buildSnapshot, RecordingSource } from '../../src/k8s/snapshot-writer.js';
import { readSnapshotFile, SnapshotSource } from '../../src/k8s/snapshot.js';
import { discover } from '../../src/k8s/discover/index.js';
import { fixturePath } from '../support/fixtures.js';

const eastWest = (network: string) => ({
  name: 'istio-eastwestgateway',
  namespace: 'istio-system',
  network,
  ports: [15012, 15017, 15443],
  controlPlanePorts: true,
  helmRelease: { release: 'istio-eastwestgateway', namespace: 'istio-system' },
  revision: null,
  version: '1.23.6',
});
const secret = (cluster: string) => ({ name: `istio-remote-secret-${cluster}`, namespace: 'istio-system', cluster });

function primary(meshId: string, clusterName: string, network: string, reads: string[], servesRemotes: boolean): MeshTopology {
  return {
    role: 'primary',
    meshId,
    clusterName,
    network,
    trustDomain: 'cluster.local',
    controlPlaneClusters: [],
    remoteSecrets: reads.map(secret),
    eastWestGateways: [eastWest(network)],
    remoteInstalls: [],
    servesRemotes,
    remotePilotAddress: null,
  };
}

function remote(clusterName: string, network: string, primaryCluster: string, address: string): MeshTopology {
  return {
    role: 'remote',
    meshId: null,
    clusterName,
    network,
    trustDomain: null,
    controlPlaneClusters: [primaryCluster],
    remoteSecrets: [],
    eastWestGateways: [eastWest(network)],
    remoteInstalls: [
      {
        chart: 'istiod-remote',
        helmRelease: { release: 'istiod-remote', namespace: 'istio-system' },
        version: '1.23.6',
        revision: 'default',
        injectorWebhook: 'istio-sidecar-injector',
        injectionTarget: `service/istio-system/istiod/inject/cluster/${clusterName}/net/${network}`,
        remotePilotAddress: address,
      },
    ],
    servesRemotes: false,
    remotePilotAddress: address,
  };
}

const EXPECTED: Record<string, MeshTopology> = {
  'mesh-multi-primary-east': primary('mesh-shop', 'east', 'network-east', ['west'], false),
  'mesh-multi-primary-west': primary('mesh-shop', 'west', 'network-west', ['east'], false),
  'mesh-primary-1.23': primary('mesh1', 'cluster1', 'network1', ['cluster2'], true),
  'mesh-remote-1.23': remote('cluster2', 'network2', 'cluster1', '203.0.113.10'),
  'mesh-three-a': primary('mesh-eu', 'eu-a', 'network-a', ['eu-b', 'eu-c'], true),
  'mesh-three-b': primary('mesh-eu', 'eu-b', 'network-b', ['eu-a'], false),
  'mesh-three-c': remote('eu-c', 'network-c', 'eu-a', '192.0.2.10'),
};

it('covers every multi-cluster fixture', () => {
  expect(Object.keys(EXPECTED).sort()).toEqual(fixtureNames().filter((n) => n.startsWith('mesh-')));
});

describe.each(Object.entries(EXPECTED))('multi-cluster topology of fixture %s', (fixture, expected) => {
  it('reads role, mesh id, cluster name, network, remote secrets, east-west gateway and remote installs', async () => {
    expect((await inventoryOf(fixture)).mesh).toEqual(expected);
  });
});

describe('multi-cluster discovery', () => {
  it('leaves single-cluster inventories without a mesh section', async () => {
    for (const f of fixtureNames().filter((n) => !n.startsWith('mesh-'))) expect((await inventoryOf(f)).mesh, f).toBeUndefined();
  });

  it('a remote cluster has no istiod of its own: its revision comes from the injector webhook alone', async () => {
    const inv = await inventoryOf('mesh-remote-1.23');
    expect(inv.revisions.map((r) => [r.name, r.deployment, r.injectorWebhook])).toEqual([['default', null, 'istio-sidecar-injector']]);
  });

  it('a snapshot keeps remote secrets as metadata only: which cluster they name, never the kubeconfig', async () => {
    const snap = await readSnapshotFile(fixturePath('mesh-primary-1.23'));
    const kubeconfig = Buffer.from('users:\n- user:\n    token: s3cr3t-token\n').toString('base64');
    const withCredentials = snap.items.map((o) => (o.kind === 'Secret' && o.metadata.labels?.['istio/multiCluster'] === 'true' ? { ...o, data: { cluster2: kubeconfig } } : o));
    const recording = new RecordingSource(new SnapshotSource({ ...snap, items: withCredentials }));
    await discover(recording, { istioNamespace: 'istio-system' });
    const written = buildSnapshot(recording.recorded(), { kubernetesVersion: snap.kubernetesVersion, context: 'primary', clusterId: null, now: new Date('2026-01-01T00:00:00Z') });
    const secrets = written.items.filter((o) => o.kind === 'Secret' && o.metadata.labels?.['istio/multiCluster'] === 'true');
    expect(secrets.map((s) => s.metadata.annotations?.['networking.istio.io/cluster'])).toEqual(['cluster2']);
    expect(JSON.stringify(written)).not.toContain(kubeconfig);
    for (const s of secrets) expect(s).not.toHaveProperty('data');
  });
});
