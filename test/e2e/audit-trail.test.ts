/**
 * End to end: the audit trail of one run through a failure, a resume, a rollback and a re-apply. Every process that
 * worked on the run is an attempt in its record (local and ConfigMap) with who ran it (the user the API server
 * authenticated), the tool and client versions, from → to and the outcome; `history` lists them; run.log lines carry
 * their time. Re-applying a run a person rolled back needs --yes without a terminal (CI), and is refused otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Attempt } from '../../src/apply/run-record.js';
import { isMutating, startCluster } from './harness.js';
import { releaseState } from './checks.js';

describe('e2e: audit trail', () => {
  test('apply (fails) → resume → rollback → re-apply refused without --yes → re-apply --yes: four attempts, in history and both records', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', user: 'alice@example.com' });
    const plan = await c.plan();
    const from = plan.source.version;
    const to = plan.target.version;

    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition' }]);
    const failed = await c.cli(['apply', c.planPath, '--on-failure', 'stop']);
    expect(failed.exitCode, failed.stderr).toBe(5);
    const [run] = c.localRuns();
    const runId = run!.runId;

    const resumed = await c.cli(['apply', c.planPath]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${runId}`);

    const rolledBack = await c.cli(['rollback', runId, '--yes']);
    expect(rolledBack.exitCode, rolledBack.stderr).toBe(0);
    expect(releaseState(c.server, 'istio-system', 'istio-cni')).toBe(`${from} deployed`);

    // CI, no --yes: one line, usage exit code, nothing run and nothing written.
    const calls = c.callLog().length;
    c.server.clearRequests();
    const refused = await c.cli(['apply', c.planPath]);
    expect(refused.exitCode, refused.stderr).toBe(64);
    // The plan's digest line, then the one-line error.
    expect(refused.stderr.trim().split('\n').filter((l) => !l.startsWith(`plan ${plan.metadata.id}: digest`))).toHaveLength(1);
    expect(refused.stderr).toContain(`run ${runId} of this plan was rolled back by alice@example.com`);
    expect(refused.stderr).toContain('needs --yes');
    expect(c.callLog().slice(calls)).toEqual([]);
    expect(c.server.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(releaseState(c.server, 'istio-system', 'istio-cni')).toBe(`${from} deployed`);

    const reapplied = await c.cli(['apply', c.planPath, '--yes']);
    expect(reapplied.exitCode, reapplied.stderr).toBe(0);
    expect(releaseState(c.server, 'istio-system', 'istio-cni')).toBe(`${to} deployed`);
    expect(c.callLog().slice(calls).filter(isMutating).length).toBeGreaterThan(0);

    const local = c.localRuns().find((r) => r.runId === runId)!;
    const attempts = local.attempts!;
    expect(attempts.map((a) => [a.kind, a.outcome, a.from, a.to])).toEqual([
      ['apply', 'failed', from, to],
      ['resume', 'succeeded', from, to],
      ['rollback', 'rolled-back', to, from],
      ['re-apply', 'succeeded', from, to],
    ]);
    const helm = /^v3\.\d+\.\d+/;
    for (const a of attempts) {
      expect(a.operator).toMatchObject({ name: 'alice@example.com', source: 'SelfSubjectReview' });
      expect(a.operator.groups).toContain('system:authenticated');
      expect(a.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(a.clients.helm).toMatch(helm);
      expect(Date.parse(a.endedAt!)).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
    }
    for (let i = 1; i < attempts.length; i++) expect(Date.parse(attempts[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(attempts[i - 1]!.endedAt!));
    expect(attempts[0]!.error).toContain('step h1-cni-upgrade failed');
    expect(c.clusterRun(runId)!.attempts).toEqual(attempts);

    const json = await c.cli(['history', '-o', 'json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const entry = (JSON.parse(json.stdout) as { runs: { runId: string; from: string; to: string; attempts: Attempt[] }[] }).runs.find((r) => r.runId === runId)!;
    expect([entry.from, entry.to]).toEqual([from, to]);
    expect(entry.attempts).toEqual(attempts);
    const text = await c.cli(['history'], { env: { COLUMNS: '200' } });
    expect(text.exitCode, text.stderr).toBe(0);
    const rows = text.stdout.split('\n').filter((l) => l.startsWith(runId));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(new RegExp(`1 apply .*alice@example\\.com\\s+${from} → ${to}\\s+failed`));
    expect(rows[2]).toMatch(new RegExp(`3 rollback .*alice@example\\.com\\s+${to} → ${from}\\s+rolled-back`));
    expect(rows[3]).toMatch(/4 re-apply .* succeeded/);

    // Every line of run.log starts with its time; each attempt is headed there.
    const log = readFileSync(join(c.stateDir, 'runs', runId, 'run.log'), 'utf8').split('\n').filter((l) => l !== '');
    expect(log.length).toBeGreaterThan(10);
    for (const line of log) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    expect(log.filter((l) => / # attempt \d \(\S+\) of run /.test(l)).map((l) => / \((\S+)\) of run/.exec(l)![1])).toEqual(['apply', 'resume', 'rollback', 're-apply']);
  }, 240_000);
});
