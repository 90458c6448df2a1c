import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { fixtureNames, fixturePath, readFixture } from '../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-status-'));

/** The same objects, read live through client-node and HTTP or from the file, must give the same inventory. */
describe.each(fixtureNames())('status on fixture %s', (name) => {
  let server: FakeApiServer;
  let kubeconfig: string;
  const fixture = readFixture(name);

  // One live `status` per fixture, read by every test below with the requests it made (the tests only read).
  let live: CliResult;
  let liveRequests: FakeApiServer['requests'];

  beforeAll(async () => {
    server = await startFakeApiServer({ objects: fixture.items, kubernetesVersion: fixture.kubernetesVersion });
    kubeconfig = join(tmp, `${name}.kubeconfig`);
    server.writeKubeconfig(kubeconfig, { context: fixture.context ?? 'fake' });
    server.clearRequests();
    live = await runCli(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    liveRequests = [...server.requests];
  });
  afterAll(async () => server.close());

  it('gives the same inventory live and from the snapshot', async () => {
    const offline = await runCli(['status', '-o', 'json', '--snapshot', fixturePath(name)]);
    expect(live.stderr).toBe('');
    expect(live.exitCode).toBe(0);
    expect(offline.exitCode).toBe(0);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(offline.stdout);
    expect(a.source).toEqual({ type: 'live', context: fixture.context ?? 'fake', capturedAt: null });
    expect(b.source).toEqual({ type: 'snapshot', context: fixture.context ?? null, capturedAt: fixture.capturedAt ?? null });
    delete a.source;
    delete b.source;
    expect(a).toEqual(b);
    expect(a.cluster.kubernetesVersion).toBe(fixture.kubernetesVersion);
  });

  it('reads lists page by page with label selectors and metadata-only where labels suffice', async () => {
    expect(live.exitCode).toBe(0);
    const gets = liveRequests.filter((r) => r.method === 'GET');
    const lists = gets.filter((r) => r.query.limit !== undefined);
    expect(lists.length).toBeGreaterThan(10);
    expect(lists.every((r) => r.query.limit === '500')).toBe(true);
    const pods = gets.find((r) => r.path === '/api/v1/pods' && r.query.labelSelector === 'security.istio.io/tlsMode=istio');
    expect(pods?.query.fieldSelector).toBe('status.phase!=Succeeded,status.phase!=Failed');
    const helm = gets.find((r) => r.path === '/api/v1/secrets');
    expect(helm?.query.labelSelector).toBe('owner=helm');
    expect(helm?.headers.accept).toContain('as=PartialObjectMetadataList');
    // Secrets are never listed with their data: only the few release records are fetched one by one.
    expect(gets.filter((r) => r.path === '/api/v1/secrets' && !r.headers.accept?.includes('PartialObjectMetadata'))).toEqual([]);
  });

  it('snapshot --out captures what status reads, with Helm values redacted', async () => {
    const out = join(tmp, `${name}.snapshot.yaml`);
    const snap = await runCli(['snapshot', '--out', out, '--kubeconfig', kubeconfig]);
    expect(snap.exitCode).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const fromSnapshot = JSON.parse((await runCli(['status', '-o', 'json', '--snapshot', out])).stdout);
    const fromCluster = JSON.parse(live.stdout);
    delete fromSnapshot.source;
    delete fromCluster.source;
    expect(fromSnapshot).toEqual(fromCluster);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('kind: ClusterSnapshot');
    expect(text).not.toMatch(/managedFields/);
  });
});
