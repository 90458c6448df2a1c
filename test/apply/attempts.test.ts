import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttemptRecorder, forwardKind, type AttemptSpec } from '../../src/apply/attempts.js';
import { ClientVersions, clientVersionOf } from '../../src/apply/client-versions.js';
import { checkPrerequisites } from '../../src/apply/prerequisites.js';
import { newRunRecord, type RunRecord } from '../../src/apply/run-record.js';
import { CheckpointStore, LocalRunStore, timestampLines } from '../../src/apply/run-state.js';
import { FakeRunner, T0, testPlan } from './fakes.js';

const record = (): RunRecord => newRunRecord(testPlan(), { runId: '20261122-100000-aaaaaa', planPath: 'plan.json', context: 'prod-eu', clusterId: 'uid', now: T0 });

function spec(over: Partial<AttemptSpec> = {}): AttemptSpec & { journal: string[] } {
  const journal: string[] = [];
  const runner = new FakeRunner(journal);
  runner.outcome = (req) => ({ ok: true, stdout: req.tool === 'helm' ? (req.args[0] === 'version' ? 'v3.17.3' : '[]') : '{"clientVersion":{"version":"1.24.6"}}\n' });
  let t = T0;
  return { rollback: false, from: '1.23.6', to: '1.24.6', holder: 'ci:42', toolVersion: '0.1.0', tools: ['helm'], identify: async () => ({ name: 'alice', source: 'SelfSubjectReview' }), versions: new ClientVersions(runner), now: () => (t += 1000), journal, ...over };
}

describe('attempts', () => {
  it('client versions as the binaries print them', () => {
    expect(clientVersionOf('helm', 'v3.17.3\n')).toBe('v3.17.3');
    expect(clientVersionOf('helm', '')).toBeUndefined();
    expect(clientVersionOf('istioctl', '{"clientVersion":{"version":"1.24.6"}}')).toBe('1.24.6');
    expect(clientVersionOf('istioctl', '1.22.8\n')).toBe('1.22.8');
  });

  it('records the versions the prerequisite checks read without asking the clients again, and asks them itself when they did not run', async () => {
    const s = spec({ tools: ['helm', 'istioctl'], istioMinor: '1.24' });
    const needs = { helm: true, charts: [], istioctl: [{ version: '1.24.6', required: true }], access: [], istioNamespace: 'istio-system', clientSideReleases: [] };
    const pre = await checkPrerequisites(needs, { runner: s.versions.runner, versions: s.versions, signal: new AbortController().signal, timeoutMs: 5_000 });
    expect(pre.problems).toEqual([]);
    const r = record();
    await new AttemptRecorder(s).stamp(r);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const versionCalls = () => s.journal.filter((l) => l.includes(' version --remote=false -o json') || l.startsWith('helm version'));
    expect(versionCalls()).toEqual(['helm version --template {{.Version}}', 'istioctl version --remote=false -o json']);
    expect(r.attempts![0]!.clients).toEqual({ helm: 'v3.17.3', istioctl: '1.24.6' });

    const alone = spec({ tools: ['helm', 'istioctl'], istioMinor: '1.24' });
    const r2 = record();
    await new AttemptRecorder(alone).stamp(r2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(alone.journal).toEqual(['helm version --template {{.Version}}', 'istioctl version --remote=false -o json']);
  });

  it('the kind of a forward attempt follows what happened before it', () => {
    const r = record();
    expect(forwardKind(r, undefined)).toBe('apply');
    r.steps[0]!.status = 'succeeded';
    expect(forwardKind(r, undefined)).toBe('resume');
    r.steps[0]!.status = 'rolled-back';
    expect(forwardKind(r, undefined)).toBe('re-apply');
    const prior = { kind: 'rollback', outcome: 'rolled-back' } as never;
    expect(forwardKind(r, prior)).toBe('re-apply');
    expect(forwardKind(r, { kind: 'apply', outcome: 'failed' } as never)).toBe('resume');
  });

  it('opens at the first checkpoint with who, what and which clients; later checkpoints add nothing; finish closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-att-'));
    const s = spec();
    const store = new CheckpointStore(new LocalRunStore(dir), undefined, () => {}, () => T0);
    store.beginAttempt(new AttemptRecorder(s));
    const r = record();
    await store.save(r);
    await store.save(r);
    expect(r.attempts).toHaveLength(1);
    expect(s.journal).toEqual(['helm version --template {{.Version}}']); // istioctl not among the plan's tools
    expect(r.attempts![0]).toMatchObject({ kind: 'apply', endedAt: null, outcome: 'running', operator: { name: 'alice', source: 'SelfSubjectReview', holder: 'ci:42' }, clients: { helm: 'v3.17.3', istioctl: null }, from: '1.23.6', to: '1.24.6' });
    await store.endAttempt('failed', 'step x failed');
    const saved = (await store.local.load(r.runId))!;
    expect(saved.attempts![0]).toMatchObject({ outcome: 'failed', error: 'step x failed' });
    expect(saved.attempts![0]!.endedAt).not.toBeNull();
  });

  it('an attempt whose process died is closed as interrupted at its last checkpoint by the next one', async () => {
    const r = record();
    const first = new AttemptRecorder(spec());
    await first.stamp(r);
    r.updatedAt = '2026-11-22T10:05:00.000Z';
    const second = new AttemptRecorder(spec({ rollback: true, from: '1.24.6', to: '1.23.6' }));
    await second.stamp(r);
    expect(r.attempts!.map((a) => [a.kind, a.outcome, a.endedAt])).toEqual([
      ['apply', 'interrupted', '2026-11-22T10:05:00.000Z'],
      ['rollback', 'running', null],
    ]);
  });

  it('a refusal before the first checkpoint records no attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-att-'));
    const s = spec();
    const store = new CheckpointStore(new LocalRunStore(dir), undefined, () => {}, () => T0);
    store.beginAttempt(new AttemptRecorder(s));
    await store.endAttempt('failed', 'refused');
    expect(await store.local.list()).toEqual([]);
    expect(s.journal).toEqual([]);
  });

  it('run.log lines start with their time, blank lines stay blank', () => {
    expect(timestampLines('\n$ helm upgrade x\nok\n', '2026-11-22T10:00:00.000Z')).toBe('\n2026-11-22T10:00:00.000Z $ helm upgrade x\n2026-11-22T10:00:00.000Z ok\n');
    const dir = mkdtempSync(join(tmpdir(), 'iu-att-'));
    const local = new LocalRunStore(dir);
    local.logSink('r1', () => T0)('[exit 0]\n');
    expect(readFileSync(local.logPath('r1'), 'utf8')).toBe('2026-11-22T10:00:00.000Z [exit 0]\n');
  });
});
