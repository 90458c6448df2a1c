import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/apply/ports.js';
import { newRunId, newRunRecord } from '../../src/apply/run-record.js';
import { CheckpointStore, ConfigMapMirror, defaultStateDir, LocalRunStore } from '../../src/apply/run-state.js';
import { MemoryConfigMaps, NS, T0, testPlan } from './fakes.js';

const record = (runId = '20261122-100000-aaaaaa') => newRunRecord(testPlan(), { runId, planPath: 'plan.json', context: 'prod-eu', clusterId: 'uid', now: T0 });

describe('run records', () => {
  it('run ids sort by time and are valid ConfigMap name suffixes', () => {
    const id = newRunId(T0);
    expect(id).toMatch(/^20261122-100000-[0-9a-f]{6}$/);
    expect(`istio-upgrade-run-${id}`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('the state directory follows ISTIO_UPGRADE_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(defaultStateDir({ ISTIO_UPGRADE_STATE_DIR: '/s', HOME: '/h' })).toBe('/s');
    expect(defaultStateDir({ XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/x/istio-upgrade');
    expect(defaultStateDir({ HOME: '/h' })).toBe('/h/.local/state/istio-upgrade');
  });

  it('are written privately and atomically, leaving no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-rs-'));
    const local = new LocalRunStore(dir);
    const r = record();
    await local.save(r);
    r.status = 'succeeded';
    await local.save(r);
    expect(readdirSync(local.dir(r.runId))).toEqual(['run.json']);
    expect(statSync(join(local.dir(r.runId), 'run.json')).mode & 0o777).toBe(0o600);
    expect(statSync(local.dir(r.runId)).mode & 0o777).toBe(0o700);
    expect((await local.load(r.runId))!.status).toBe('succeeded');
  });

  it('ignore a record that is not a run (hand-edited or truncated)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-rs-'));
    const local = new LocalRunStore(dir);
    const r = record();
    await local.save({ ...r, status: 'exploded' as never });
    expect(await local.load(r.runId)).toBeUndefined();
  });
});

describe('ConfigMap mirror', () => {
  it('creates the ConfigMap on the first write and replaces it after, carrying the plan', async () => {
    const cms = new MemoryConfigMaps();
    const mirror = new ConfigMapMirror(cms, NS);
    const r = record();
    mirror.rememberPlan(r.runId, testPlan());
    await mirror.save(r);
    r.status = 'succeeded';
    await mirror.save(r);
    const cm = (await cms.get(NS, `istio-upgrade-run-${r.runId}`))!;
    expect(cms.writes).toBe(2);
    expect(JSON.parse(cm.data['run.json']!).status).toBe('succeeded');
    expect(JSON.parse(cm.data['plan.json']!).metadata.id).toBe(r.planId);
    const [listed] = await mirror.list(r.planId);
    expect(listed!.record.runId).toBe(r.runId);
    expect(listed!.plan!.steps).toHaveLength(6);
  });

  it('on 409 re-reads the ConfigMap and retries with its current version', async () => {
    const cms = new MemoryConfigMaps();
    const r = record();
    // another process created it first (say, the run before a crash)
    await new ConfigMapMirror(cms, NS).save(r);
    const mine = new ConfigMapMirror(cms, NS);
    r.status = 'interrupted';
    await mine.save(r);
    expect(JSON.parse((await cms.get(NS, `istio-upgrade-run-${r.runId}`))!.data['run.json']!).status).toBe('interrupted');
    // and a concurrent writer in between is overwritten after a re-read
    const current = (await cms.get(NS, `istio-upgrade-run-${r.runId}`))!;
    await cms.replace(NS, { ...current, data: { 'run.json': '{}' } });
    r.status = 'succeeded';
    await mine.save(r);
    expect(JSON.parse((await cms.get(NS, `istio-upgrade-run-${r.runId}`))!.data['run.json']!).status).toBe('succeeded');
  });

  it('gives up after repeated conflicts with a clear error', async () => {
    const cms = new MemoryConfigMaps();
    cms.create = async () => {
      throw new ConflictError('AlreadyExists');
    };
    await expect(new ConfigMapMirror(cms, NS).save(record())).rejects.toThrow('it kept changing (409 Conflict five times)');
  });

  it('the checkpoint store prefers the newer copy of a run and lists newest first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-rs-'));
    const cms = new MemoryConfigMaps();
    const now = { t: T0 };
    const store = new CheckpointStore(new LocalRunStore(dir), new ConfigMapMirror(cms, NS), () => undefined, () => now.t);
    const a = record('20261122-090000-aaaaaa');
    const b = { ...record('20261122-100000-bbbbbb'), startedAt: new Date(T0 + 1).toISOString() };
    await store.save(a);
    await store.save(b);
    now.t += 1000;
    // only the cluster has the newest state of run a (it went on elsewhere)
    await new ConfigMapMirror(cms, NS).save({ ...a, status: 'succeeded', updatedAt: new Date(now.t + 1).toISOString() });
    const runs = await store.runs(a.planId);
    expect(runs.map((r) => r.runId)).toEqual([b.runId, a.runId]);
    expect(runs[1]!.status).toBe('succeeded');
  });
});
