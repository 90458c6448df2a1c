import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '../../src/apply/run-state.js';
import { newRunRecord } from '../../src/apply/run-record.js';
import { cliPath, runCli } from '../support/cli.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

// Drives the real bash completion machinery: the script `completion bash` prints is sourced, COMP_WORDS and
// COMP_CWORD are set as bash sets them for a partial line, the registered function runs, COMPREPLY is read.
const tmp = mkdtempSync(join(tmpdir(), 'iu-complete-'));
const bin = join(tmp, 'bin');
const script = join(tmp, 'istio-upgrade.bash');
const stateDir = join(tmp, 'state');
const RUNS = ['20261120-090000-aaaaaa', '20261122-100000-bbbbbb'];

beforeAll(async () => {
  mkdirSync(bin);
  writeFileSync(join(bin, 'istio-upgrade'), `#!/bin/sh\nexec node ${JSON.stringify(cliPath)} "$@"\n`);
  chmodSync(join(bin, 'istio-upgrade'), 0o755);
  const r = await runCli(['completion', 'bash']);
  expect(r.exitCode).toBe(0);
  writeFileSync(script, r.stdout);
  writeKubeconfig(join(tmp, 'kc-a'), { server: 'https://127.0.0.1:1', token: 'x', context: 'prod-eu', extraContexts: ['prod-us'] });
  writeKubeconfig(join(tmp, 'kc-b'), { server: 'https://127.0.0.1:1', token: 'x', context: 'staging' });
  const { plan } = await planFor(PLAN_CASES[0]!);
  const store = new LocalRunStore(stateDir);
  for (const [i, runId] of RUNS.entries()) {
    await store.save(newRunRecord(plan, { runId, planPath: 'plan.json', context: 'prod-eu', clusterId: null, now: Date.parse('2026-11-20T09:00:00Z') + i * 3_600_000 }));
  }
});

/** The completions bash offers for `line` with the cursor at its end (a trailing space starts a new word). */
async function complete(line: string, env: Record<string, string> = {}): Promise<string[]> {
  // bash's COMP_WORDBREAKS: a space separates words, and "=" is a word of its own (--flag=value).
  const words = line.split(' ').flatMap((w) => (w.includes('=') ? w.split(/(=)/).filter(Boolean) : [w]));
  const program = [
    `source ${JSON.stringify(script)}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE=${JSON.stringify(line)}`,
    `COMP_POINT=${line.length}`,
    'fn=$(complete -p istio-upgrade | sed -E "s/.*-F ([^ ]+).*/\\1/")',
    '"$fn"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = await execa('bash', ['--norc', '--noprofile', '-c', program], {
    cwd: tmp,
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: tmp, NO_COLOR: '1', ...env },
    extendEnv: false,
  });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('completion bash, run by bash', () => {
  it('completes commands, flags and flag choices from the program itself', async () => {
    expect(await complete('istio-upgrade pl')).toEqual(['plan']);
    expect(await complete('istio-upgrade ')).toEqual(expect.arrayContaining(['apply', 'completion', 'history', 'plan', 'rollback', 'snapshot', 'status', 'version']));
    expect(await complete('istio-upgrade ')).not.toContain('__complete');
    expect(await complete('istio-upgrade plan --str')).toEqual(['--strategy']);
    expect(await complete('istio-upgrade apply --valu')).toEqual(['--values']);
    expect(await complete('istio-upgrade plan --strategy ')).toEqual(['canary', 'in-place']);
    expect(await complete('istio-upgrade plan -o m')).toEqual(['markdown']);
    expect(await complete('istio-upgrade apply --on-failure=')).toEqual(['rollback', 'stop']);
    expect(await complete('istio-upgrade apply --on-failure=st')).toEqual(['stop']);
    expect(await complete('istio-upgrade completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await complete('istio-upgrade snapshot --')).not.toContain('--snapshot');
    expect(await complete('istio-upgrade --debug status --allow')).toEqual([]);
  });

  it('completes --context from the kubeconfig files kubectl would read, honouring --kubeconfig on the line', async () => {
    const KUBECONFIG = `${join(tmp, 'kc-a')}:${join(tmp, 'kc-b')}`;
    expect(await complete('istio-upgrade status --context ', { KUBECONFIG })).toEqual(['prod-eu', 'prod-us', 'staging']);
    expect(await complete('istio-upgrade plan --context prod-', { KUBECONFIG })).toEqual(['prod-eu', 'prod-us']);
    expect(await complete(`istio-upgrade apply --kubeconfig ${join(tmp, 'kc-b')} --context `, { KUBECONFIG })).toEqual(['staging']);
    expect(await complete('istio-upgrade status --context ')).toEqual([]);
  });

  it('completes run ids from the local state directory, newest first offered to bash', async () => {
    expect(await complete('istio-upgrade rollback ', { ISTIO_UPGRADE_STATE_DIR: stateDir })).toEqual(RUNS);
    expect(await complete(`istio-upgrade rollback --state-dir ${stateDir} 2026112`)).toEqual(RUNS);
    expect(await complete('istio-upgrade apply plan.json --resume 20261122', { ISTIO_UPGRADE_STATE_DIR: stateDir })).toEqual([RUNS[1]]);
    const direct = await runCli(['__complete', 'runs', '--state-dir', stateDir]);
    expect(direct.stdout.split('\n')).toEqual([...RUNS].reverse());
  });

  it('completes file arguments with file names', async () => {
    writeFileSync(join(tmp, 'plan-prod.json'), '{}');
    expect(await complete('istio-upgrade apply plan-')).toEqual(['plan-prod.json']);
    expect(await complete('istio-upgrade status --snapshot plan-p')).toEqual(['plan-prod.json']);
  });
});

describe('completion zsh and fish', () => {
  it('print scripts for every command and the dynamic sources', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef istio-upgrade\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -F _istio_upgrade istio-upgrade');
    const fish = await runCli(['completion', 'fish']);
    for (const cmd of ['status', 'plan', 'snapshot', 'apply', 'rollback', 'history', 'force-unlock', 'completion', 'version']) {
      expect(fish.stdout).toContain(`-n '__fish_use_subcommand' -a ${cmd} `);
    }
    expect(fish.stdout).toContain("complete -c istio-upgrade -n '__fish_seen_subcommand_from plan' -l strategy -x -a 'canary in-place'");
    expect(fish.stdout).toContain('(istio-upgrade __complete contexts (__fish_istio_upgrade_passed_flags))');
    expect((await runCli(['completion', 'tcsh'])).exitCode).toBe(64);
  });
});
