/** The smaller faults: a deleted run ConfigMap, timers Node cannot hold, backup directories from a plan. */
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/executor.js';
import { checkBackupDirectories } from '../../src/apply/backup.js';
import { MAX_TIMER_MS, parseTimerDuration } from '../../src/apply/duration.js';
import { runConfigMapName } from '../../src/apply/run-state.js';
import { UserError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/schema.js';
import { harness, NS, testPlan } from './fakes.js';

const RUN = '20261122-100000-aaaaaa';

function withBackup(dir: string): Plan {
  const plan = testPlan();
  plan.steps[0]!.commands.push({ via: 'kubernetes-api', argv: ['kubectl', 'get'], description: 'backup', api: { type: 'export-backup', directory: dir, istioNamespace: NS, helmReleases: [] } });
  return plan;
}

describe('a deleted run ConfigMap', () => {
  it('is written anew at the next checkpoint, and the run ends recorded in the cluster', async () => {
    const h = harness();
    const started = h.progress.stepStarted.bind(h.progress);
    h.progress.stepStarted = (step, ...rest) => {
      if (step.id === 'h1-tag-move-default') h.cluster.configMaps.items.delete(`${NS}/${runConfigMapName(RUN)}`);
      return started(step, ...rest);
    };
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(0);
    const cm = await h.cluster.configMaps.get(NS, runConfigMapName(RUN));
    expect(JSON.parse(cm!.data['run.json']!).status).toBe('succeeded');
    expect(h.progress.lines.filter((l) => l.includes('could not mirror'))).toEqual([]);
  });
});

describe('timers Node cannot hold', () => {
  it('a --step-timeout of 25 days is refused as a usage error; 24 days is fine', () => {
    expect(() => parseTimerDuration('25d', '--step-timeout')).toThrow('--step-timeout 25d is too long: the limit is 24d');
    expect((() => { try { parseTimerDuration('25d', '--step-timeout'); } catch (e) { return (e as UserError).exitCode; } return 0; })()).toBe(64);
    expect(parseTimerDuration('24d', '--step-timeout')).toBeLessThan(MAX_TIMER_MS);
  });
});

describe('backup directories named by a plan', () => {
  const cwd = '/srv/here';
  it.each([
    ['a directory under the working directory', 'istio-upgrade-backup-x', undefined, true],
    ['a nested one', 'backups/today', undefined, true],
    ['the parent directory', '../elsewhere', undefined, false],
    ['an absolute path outside', '/proc/self/x', undefined, false],
    ['an empty name', '', undefined, false],
    ['the working directory itself', '.', undefined, false],
    ['an outside path restated with --backup-dir on this command line', '/var/backups/istio', '/var/backups/istio', true],
    ['an outside path with another --backup-dir', '/var/backups/istio', '/var/other', false],
  ] as const)('%s', (_name, dir, restated, ok) => {
    const check = () => checkBackupDirectories(withBackup(dir), cwd, restated);
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow(/writes its backup to .* which is not under the working directory/);
  });

  it('apply refuses such a plan before taking the lock or changing anything', async () => {
    const h = harness();
    const e = await executePlan(withBackup('/etc/istio-backup'), { ...h.options, cwd: '/srv/here' }, h.deps).catch((x: unknown) => x as UserError);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(3);
    expect((e as UserError).hint).toContain('--backup-dir /etc/istio-backup');
    expect(h.journal).toEqual([]);
    expect(h.cluster.leases.items.size).toBe(0);
  });
});
