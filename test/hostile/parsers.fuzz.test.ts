/**
 * Fuzzing the three parsers that read what a user (or an attacker) hands the CLI: snapshots, plans, kubeconfigs.
 * Properties: a parser either returns a valid document or throws a UserError (a one-line message, never an
 * internal error with a stack trace); input that is damaged is never accepted; nothing hangs. Seeded and bounded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseSnapshot } from '../../src/k8s/snapshot.js';
import { buildSnapshot } from '../../src/k8s/snapshot-writer.js';
import { parsePlanText } from '../../src/apply/plan-file.js';
import { parseKubeconfig } from '../../src/k8s/kubeconfig-file.js';
import { loadKubeConfig } from '../../src/k8s/kubeconfig.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { sealPlan } from '../../src/plans/plan-integrity.js';
import { readFixture } from '../support/fixtures.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';
import { isOneLineError, runCli } from '../support/cli.js';

const SEED = 20261203;
const tmp = mkdtempSync(join(tmpdir(), 'iu-fuzz-'));
const fx = readFixture('ambient-helm-1.23');
const snapshotText = dump(buildSnapshot(structuredClone(fx.items), { kubernetesVersion: fx.kubernetesVersion, context: 'c', clusterId: 'uid' }), { noRefs: true, lineWidth: 120 });

/** Runs fn; anything thrown that is not a UserError is a failure of the property. */
function outcome(fn: () => unknown): 'ok' | 'refused' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof UserError) {
      expect(e.message.includes('\n'), e.message).toBe(false);
      return 'refused';
    }
    throw e;
  }
}

/** Replaces the value at a random path of a JSON document with another random JSON value. */
function mutate(doc: unknown, path: number[], value: unknown): unknown {
  if (!path.length || doc === null || typeof doc !== 'object') return value;
  const keys = Object.keys(doc as object);
  if (!keys.length) return value;
  const k = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(doc) ? ([...doc] as unknown as Record<string, unknown>) : { ...(doc as Record<string, unknown>) };
  copy[k] = mutate(copy[k], path.slice(1), value);
  return copy;
}

const stats = { tried: 0, refused: 0 };

describe('snapshot parser', () => {
  it('a written snapshot cut anywhere is refused, never read as a smaller cluster', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: snapshotText.length - 2 }), (n) => {
        stats.tried++;
        const cut = snapshotText.slice(0, n).trimEnd();
        if (cut === snapshotText.trimEnd()) return;
        expect(outcome(() => parseSnapshot(cut, 'cut.yaml'))).toBe('refused');
        stats.refused++;
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('random edits of a written snapshot are refused or read whole, never with an internal error', () => {
    const doc = JSON.parse(JSON.stringify(buildSnapshot(structuredClone(fx.items), { kubernetesVersion: fx.kubernetesVersion, context: 'c', clusterId: 'uid' })));
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue(), (path, value) => {
        stats.tried++;
        const edited = mutate(doc, path, value);
        const r = outcome(() => parseSnapshot(JSON.stringify(edited), 'edited.json'));
        // An edit inside the items changes their digest: only header edits that keep the schema may pass.
        if (path[0] !== undefined && Object.keys(doc)[path[0] % Object.keys(doc).length] === 'items' && JSON.stringify(edited) !== JSON.stringify(doc)) expect(r).toBe('refused');
        if (r === 'refused') stats.refused++;
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('arbitrary text is read or refused in one line, never an internal error; alias bombs and deep nesting are refused', () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
    expect(outcome(() => parseSnapshot(bomb, 'bomb.yaml'))).toBe('refused');
    expect(outcome(() => parseSnapshot('['.repeat(5000), 'deep.yaml'))).toBe('refused');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        stats.tried++;
        if (outcome(() => parseSnapshot(text, 'random.yaml')) === 'refused') stats.refused++;
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('plan parser', () => {
  let sealed = '';
  it('any change to a sealed plan is refused; the untouched plan is accepted', async () => {
    const inv = await inventoryOf('ambient-helm-1.23');
    const plan = planUpgrade(inv, { ...requestFor({ name: 'fuzz', fixture: '', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } }, 'plan-fuzz'), now: new Date('2026-12-03T00:00:00Z'), toolVersion: '0.0.0' });
    sealed = JSON.stringify(sealPlan(plan));
    expect(outcome(() => parsePlanText(sealed, 'plan.json'))).toBe('ok');
    const doc = JSON.parse(sealed);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), fc.jsonValue(), (path, value) => {
        stats.tried++;
        const edited = mutate(doc, path, value) as { integrity?: unknown };
        const changedContent = JSON.stringify({ ...edited, integrity: undefined }) !== JSON.stringify({ ...doc, integrity: undefined });
        const r = outcome(() => parsePlanText(JSON.stringify(edited), 'plan.json'));
        if (changedContent) expect(r).toBe('refused');
        if (r === 'refused') stats.refused++;
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a plan cut anywhere is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), (n) => {
        stats.tried++;
        expect(outcome(() => parsePlanText(sealed.slice(0, n), 'plan.json'))).toBe('refused');
        stats.refused++;
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('kubeconfig parser', () => {
  const base = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443' } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' };
  it('random edits are read or refused in one line, through the same loader the commands use', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.jsonValue(), async (path, value) => {
        stats.tried++;
        const text = dump(mutate(base, path, value), { noRefs: true });
        const parsed = outcome(() => parseKubeconfig(text, 'kc'));
        const f = join(tmp, `kc-${n++}`);
        writeFileSync(f, text);
        const loaded = await loadKubeConfig({ kubeconfig: f }, {}).then(
          () => 'ok' as const,
          (e: unknown) => {
            if (e instanceof UserError) return 'refused' as const;
            throw e;
          },
        );
        if (parsed === 'refused') expect(loaded).toBe('refused');
        if (loaded === 'refused') stats.refused++;
      }),
      { seed: SEED, numRuns: 120 },
    );
  });
});

describe('through the built CLI', () => {
  it('damaged inputs: no stack trace, no exit 0, no hang', async () => {
    const samples = fc.sample(fc.tuple(fc.integer({ min: 1, max: snapshotText.length - 2 }), fc.string({ maxLength: 40 })), { seed: SEED, numRuns: 8 });
    const results: { args: string; code: number; oneLine: boolean }[] = [];
    for (const [i, [cut, junk]] of samples.entries()) {
      const snap = join(tmp, `cli-snap-${i}.yaml`);
      writeFileSync(snap, snapshotText.slice(0, cut).trimEnd() + (i % 2 ? junk : ''));
      const kc = join(tmp, `cli-kc-${i}`);
      writeFileSync(kc, `${junk}\n:`);
      for (const args of [['status', '--snapshot', snap], ['status', '--kubeconfig', kc]]) {
        const r = await runCli(args, { HOME: tmp }, { timeoutMs: 20_000 });
        results.push({ args: args.join(' '), code: r.exitCode, oneLine: isOneLineError(r.stderr) });
      }
    }
    expect(results.filter((r) => r.code === 0 || r.code < 0)).toEqual([]);
    expect(results.filter((r) => !r.oneLine)).toEqual([]);
    stats.tried += results.length;
    stats.refused += results.length;
    // The figures go to the report: inputs tried and how many were refused (the rest were read as valid documents).
    console.info(`hostile inputs tried: ${stats.tried}, refused: ${stats.refused}`);
  }, 240_000);
});
