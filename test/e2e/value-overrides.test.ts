/**
 * Value overrides end to end (issue 10): `plan --set/--values` records keys and digests only, `apply` is refused
 * before any change unless given the same overrides, and then the fake helm receives them on top of the release's
 * values, in the release's stored config afterwards. `--catalog FILE` plans are applied only with the same file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { isOneLineError, repoRoot } from '../support/cli.js';
import { isMutating, startCluster } from './harness.js';
import { NEW_REV, release } from './checks.js';

const SECRET = 's3cr3t-do-not-print';
const TERMINAL = { COLUMNS: '80' };

/** apply first says which plan it read (digest verified); then the refusal is one line. */
const refusedInOneLine = (stderr: string): boolean => {
  const [read, ...rest] = stderr.trim().split('\n');
  return /^plan \S+: digest sha256:\S+ verified$/.test(read ?? '') && isOneLineError(rest.join('\n'));
};

describe.concurrent('e2e: value overrides and the plan catalog', () => {
  test('plan records keys only; apply needs the same overrides and helm gets them over the reused values', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const file = join(c.work, 'istiod-values.yaml');
    writeFileSync(file, `pilot:\n  env:\n    EXTERNAL_TOKEN: ${SECRET}\n  resources:\n    requests:\n      cpu: 750m\n`);
    const flags = ['--values', 'istiod=istiod-values.yaml', '--set', 'istiod:pilot.env.PILOT_ENABLE_X=false', '--set', 'ztunnel:logLevel=debug'];
    const plan = await c.plan(['--to', '1.24', ...flags]);

    // The plan holds keys, the file's sha256 and digests, never a value.
    const text = readFileSync(c.planPath, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('750m');
    expect(plan.valueOverrides!.keys.map((k) => `${k.component}:${k.key} ${k.from}`)).toEqual([
      'istiod:pilot.env.EXTERNAL_TOKEN --values istiod=istiod-values.yaml',
      'istiod:pilot.env.PILOT_ENABLE_X --set',
      'istiod:pilot.resources.requests.cpu --values istiod=istiod-values.yaml',
      'ztunnel:logLevel --set',
    ]);
    expect(plan.valueOverrides!.sources[0]).toMatchObject({ flag: '--values', component: 'istiod', file: 'istiod-values.yaml', sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // The typed operations carry them, and the one builder renders them after the reused values.
    const helmOps = plan.steps.flatMap((s) => s.commands.filter((x) => x.helm?.op === 'install' || x.helm?.op === 'upgrade'));
    const istiod = helmOps.find((x) => x.helm!.release === `istiod-${NEW_REV}`)!;
    expect('values' in istiod.helm! && istiod.helm.values.overrides).toBe('istiod');
    expect(istiod.argv.slice(-4)).toEqual(['--values', '<values-of:istio-system/istiod-1-23-6>', '--values', '<overrides-of:istiod>']);
    expect(helmOps.filter((x) => x.argv.includes('<overrides-of:ztunnel>')).map((x) => x.helm!.release)).toEqual(['ztunnel']);
    expect(helmOps.filter((x) => x.helm!.release === 'istio-cni').every((x) => !x.argv.some((a) => a.startsWith('<overrides-of:')))).toBe(true);

    // Without the --set (whose value the plan does not hold): refused before anything changes.
    const missing = await c.cli(['apply', c.planPath], { env: TERMINAL });
    expect(missing.exitCode).toBe(3);
    expect(refusedInOneLine(missing.stderr), missing.stderr).toBe(true);
    expect(missing.stderr).toContain('--set istiod:pilot.env.PILOT_ENABLE_X=…, whose value it does not hold: give apply the same --set and --values flags');
    // Another value for a --set, or a file changed since planning: refused too.
    const otherValue = await c.cli(['apply', c.planPath, ...flags.slice(0, -1), 'ztunnel:logLevel=info'], { env: TERMINAL });
    expect(otherValue.exitCode).toBe(3);
    expect(otherValue.stderr).toMatch(/--set ztunnel:logLevel: the value is not the one plan \S+ was made with/);
    writeFileSync(file, `pilot:\n  env:\n    EXTERNAL_TOKEN: rotated\n`);
    const changed = await c.cli(['apply', c.planPath, ...flags], { env: TERMINAL });
    expect(changed.exitCode).toBe(3);
    expect(changed.stderr).toMatch(/--values istiod=istiod-values\.yaml: its content \(sha256:\S+…\) is not the file plan \S+ was made with/);
    expect(refusedInOneLine(changed.stderr), changed.stderr).toBe(true);
    expect(c.callLog().filter(isMutating)).toEqual([]);

    writeFileSync(file, `pilot:\n  env:\n    EXTERNAL_TOKEN: ${SECRET}\n  resources:\n    requests:\n      cpu: 750m\n`);
    // -o yaml: the ApplyResult document on stdout (issue 10: -o yaml on every command that prints a document).
    const r = await c.cli(['apply', c.planPath, ...flags, '-o', 'yaml'], { env: TERMINAL, timeoutMs: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(SECRET);
    const applied = load(r.stdout) as { kind: string; status: string; planId: string; steps: { status: string }[] };
    expect(applied).toMatchObject({ kind: 'ApplyResult', status: 'succeeded', planId: plan.metadata.id });
    expect(applied.steps.map((s) => s.status)).toEqual(plan.steps.map(() => 'succeeded'));

    // helm got a second values file for istiod and ztunnel, and merged it over the reused values.
    const installs = c.callLog().filter((x) => x.argv[1] === 'install' && x.argv[2] === `istiod-${NEW_REV}`);
    expect(installs).toHaveLength(1);
    expect(installs[0]!.valuesFiles).toHaveLength(2);
    const config = release(c.server, 'istio-system', `istiod-${NEW_REV}`)!.config as { pilot?: { env?: Record<string, unknown>; resources?: unknown }; revision?: string };
    expect(config.pilot?.env).toMatchObject({ EXTERNAL_TOKEN: SECRET, PILOT_ENABLE_X: false });
    expect(config.pilot?.resources).toEqual({ requests: { cpu: '750m' } });
    expect(config.revision).toBe(NEW_REV); // the plan's own --set still wins
    expect((release(c.server, 'istio-system', 'ztunnel')!.config as { logLevel?: string }).logLevel).toBe('debug');
    expect((release(c.server, 'istio-system', 'istio-cni')!.config as { logLevel?: string }).logLevel).toBeUndefined();
    // Nothing of the values is left on disk: the run log holds no value either.
    const log = readFileSync(join(c.stateDir, 'runs', `${c.localRuns()[0]!.runId}`, 'run.log'), 'utf8');
    expect(log).not.toContain(SECRET);

    // Rolling back needs no overrides (helm rollback returns to the recorded revisions); -o yaml prints its document.
    const back = await c.cli(['rollback', '--yes', '-o', 'yaml'], { env: TERMINAL, timeoutMs: 180_000 });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(load(back.stdout)).toMatchObject({ kind: 'RollbackResult', status: 'rolled-back', planId: plan.metadata.id });
    expect(release(c.server, 'istio-system', 'ztunnel')!.config).not.toHaveProperty('logLevel');
  }, 480_000);

  test('apply of a plan made with --catalog FILE needs that very file', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const example = join(repoRoot, 'docs', 'examples', 'catalog-1.32.yaml');
    const plan = await c.plan(['--to', '1.24', '--catalog', example]);
    expect(plan.metadata.catalog).toMatchObject({ version: 'example-2027-02-01', mode: 'merge', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });

    const without = await c.cli(['apply', c.planPath, '--dry-run'], { env: TERMINAL });
    expect(without.exitCode).toBe(3);
    expect(refusedInOneLine(without.stderr), without.stderr).toBe(true);
    expect(without.stderr).toMatch(/was made with the release catalog file version example-2027-02-01 \(sha256:[0-9a-f]{64}\): give apply the same file with --catalog FILE/);

    const edited = join(c.work, 'catalog-edited.yaml');
    writeFileSync(edited, `${readFileSync(example, 'utf8')}\n# edited after planning\n`);
    const other = await c.cli(['apply', c.planPath, '--catalog', edited], { env: TERMINAL });
    expect(other.exitCode).toBe(3);
    expect(refusedInOneLine(other.stderr), other.stderr).toBe(true);
    expect(other.stderr).toContain(`--catalog ${edited}: its content (sha256:`);
    expect(c.callLog().filter(isMutating)).toEqual([]);

    const same = await c.cli(['apply', c.planPath, '--catalog', example, '--dry-run'], { env: TERMINAL });
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stderr).toContain(`the release catalog file is the one the plan was made with (${plan.metadata.catalog!.digest})`);

    // A plan of the built-in catalog takes no file.
    await c.plan(['--to', '1.24']);
    const extra = await c.cli(['apply', c.planPath, '--catalog', example, '--dry-run'], { env: TERMINAL });
    expect(extra.exitCode).toBe(3);
    expect(extra.stderr).toContain('was made with the built-in release catalog; apply it without --catalog');
  }, 240_000);
});
