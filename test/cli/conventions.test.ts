import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { isOneLineError, runCli } from '../support/cli.js';
import { fixturePath, readFixture } from '../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-conventions-'));
const COMMANDS = ['status', 'plan', 'snapshot', 'apply', 'rollback', 'history', 'force-unlock', 'completion', 'version'];
const version = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  const fixture = readFixture('ambient-helm-1.23');
  server = await startFakeApiServer({ objects: fixture.items, kubernetesVersion: fixture.kubernetesVersion });
  kubeconfig = join(tmp, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { context: 'fake' });
});
afterAll(async () => server.close());

const headings = (help: string) => help.split('\n').filter((l) => /^[A-Z][A-Za-z ]+:$/.test(l));

describe('help', () => {
  it.each(COMMANDS)('%s --help has examples and the exit codes, within 80 columns', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\nExamples:\n {2}# .+\n {2}\S/);
    expect(r.stdout).toContain('\nExit codes:\n  0    success');
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('groups the flags of apply and plan: cluster access, planning, execution, output', async () => {
    expect(headings((await runCli(['apply', '--help'])).stdout)).toEqual(['Arguments:', 'Cluster access:', 'Planning:', 'Execution:', 'Output:', 'Options:', 'Examples:', 'Exit codes:']);
    expect(headings((await runCli(['plan', '--help'])).stdout)).toEqual(['Cluster access:', 'Planning:', 'Output:', 'Options:', 'Examples:', 'Exit codes:']);
    const apply = (await runCli(['apply', '--help'])).stdout;
    const section = (name: string) => apply.slice(apply.indexOf(`${name}:\n`), apply.indexOf('\n\n', apply.indexOf(`${name}:\n`)));
    expect(section('Cluster access')).toMatch(/--kubeconfig[\s\S]*--context[\s\S]*--istio-namespace/);
    expect(section('Planning')).toMatch(/--to <version>[\s\S]*--include-cleanup/);
    expect(section('Execution')).toMatch(/--step-timeout[\s\S]*--dry-run[\s\S]*--yes/);
    expect(section('Output')).toMatch(/-o, --output <format>[\s\S]*"yaml"[\s\S]*--events/);
  });

  it('wraps help to COLUMNS', async () => {
    const wide = await runCli(['apply', '--help'], { COLUMNS: '140' });
    const narrow = await runCli(['apply', '--help'], { COLUMNS: '60' });
    // Only a single word wider than its column (a path) may cross the edge; it is never broken.
    expect(narrow.stdout.split('\n').filter((l) => l.length > 60 && l.trim().includes(' '))).toEqual([]);
    expect(Math.max(...wide.stdout.split('\n').map((l) => l.length))).toBeGreaterThan(80);
  });

  it('no arguments: the help on stdout and exit 0, as kubectl does', async () => {
    const r = await runCli([]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: istio-upgrade \[options\] \[command\]/);
    expect(r.stdout).toContain('\nExamples:\n');
  });
});

describe('version', () => {
  it('-V, --version and `version` print it; -v is reserved (usage error saying where the version is)', async () => {
    expect((await runCli(['-V'])).stdout).toBe(version);
    expect((await runCli(['--version'])).stdout).toBe(version);
    const text = await runCli(['version']);
    expect(text.stdout.split('\n')[0]).toBe(`istio-upgrade ${version}`);
    expect(text.stdout).toMatch(/\nrelease catalog: Istio 1\.\d+–1\.\d+ \(newest release 1\.\d+\.\d+, built in\)\n/);
    const doc = JSON.parse((await runCli(['version', '-o', 'json'])).stdout);
    expect(doc).toMatchObject({ apiVersion: 'istio-upgrade/v1', kind: 'Version', version, node: process.version });
    expect(load((await runCli(['version', '-o', 'yaml'])).stdout)).toEqual(doc);
    const v = await runCli(['-v']);
    expect(v.exitCode).toBe(64);
    expect(v.stderr).toBe("istio-upgrade: error: unknown option '-v'\n  the version is -V, --version or `istio-upgrade version`");
  });
});

describe('documents on stdout', () => {
  it('snapshot writes to stdout without --out or with -, YAML by default or JSON with -o json, and reads back', async () => {
    const yaml = await runCli(['snapshot', '--kubeconfig', kubeconfig]);
    expect(yaml.exitCode).toBe(0);
    expect(yaml.stderr).toBe('');
    const snap = load(yaml.stdout) as { kind: string; items: unknown[] };
    expect(snap.kind).toBe('ClusterSnapshot');
    // Two reads of the same cluster differ only in when they were taken.
    const sameCluster = (s: object) => ({ ...s, capturedAt: 'x' });
    const json = await runCli(['snapshot', '--kubeconfig', kubeconfig, '--out', '-', '-o', 'json']);
    expect(sameCluster(JSON.parse(json.stdout))).toEqual(sameCluster(snap));
    const file = join(tmp, 'snap.yaml');
    const written = await runCli(['snapshot', '--kubeconfig', kubeconfig, '--out', file]);
    expect(written.stdout).toBe('');
    expect(sameCluster(load(readFileSync(file, 'utf8')) as object)).toEqual(sameCluster(snap));
    const fromFile = await runCli(['status', '--snapshot', file, '-o', 'json']);
    const live = await runCli(['status', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(JSON.parse(fromFile.stdout).revisions).toEqual(JSON.parse(live.stdout).revisions);
  });

  it('snapshot does not take --snapshot (it reads a cluster)', async () => {
    const r = await runCli(['snapshot', '--snapshot', fixturePath('ambient-helm-1.23')]);
    expect(r.exitCode).toBe(64);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain("unknown option '--snapshot'");
  });

  it('-o yaml on history and apply --dry-run gives the same document as -o json', async () => {
    const hj = await runCli(['history', '--kubeconfig', kubeconfig, '-o', 'json']);
    const hy = await runCli(['history', '--kubeconfig', kubeconfig, '-o', 'yaml']);
    expect(hj.exitCode).toBe(0);
    expect(load(hy.stdout)).toEqual(JSON.parse(hj.stdout));
    expect(JSON.parse(hj.stdout).kind).toBe('RunHistory');

    const planFile = join(tmp, 'plan.json');
    expect((await runCli(['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--out', planFile, '-o', 'json'])).exitCode).toBe(0);
    const dj = await runCli(['apply', planFile, '--dry-run', '--offline', '-o', 'json']);
    const dy = await runCli(['apply', planFile, '--dry-run', '--offline', '-o', 'yaml']);
    expect(dj.exitCode).toBe(0);
    expect(JSON.parse(dj.stdout).kind).toBe('ApplyDryRun');
    expect(load(dy.stdout)).toEqual(JSON.parse(dj.stdout));
  });

  it.each(['status', 'plan', 'snapshot', 'apply', 'rollback', 'history', 'version'])('%s offers -o json and -o yaml', async (cmd) => {
    expect((await runCli([cmd, '--help'])).stdout).toMatch(/-o, --output <format>\s+output format \(choices: [^)]*"json"[^)]*"yaml"/);
  });
});
