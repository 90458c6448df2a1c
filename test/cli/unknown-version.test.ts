import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { listMinors, newestKnown } from '../../src/plans/catalog/index.js';
import { runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

// One minor past the newest the catalog knows, whatever that is when a release is added.
const newest = listMinors()[listMinors().length - 1]!;
const next = `1.${Number(newest.split('.')[1]) + 1}`;
// On a Kubernetes the new minors support, so the plan is not blocked (a blocked plan carries no commands).
const sidecar = join(mkdtempSync(join(tmpdir(), 'unknown-version-')), 'sidecar-k8s-1.33.yaml');
writeFileSync(sidecar, readFileSync(fixturePath('sidecar-revisioned-1.22'), 'utf8').replace(/^kubernetesVersion: .*$/m, 'kubernetesVersion: 1.33.4'));
const WARNING = new RegExp(`Istio ${next.replace('.', '\\.')} is newer than the release catalog \\(newest known: ${newestKnown().replace(/\./g, '\\.')}\\): planned by the general rules`);

describe(`--allow-unknown-version for a minor the catalog does not know (${next})`, () => {
  it('is refused without the flag, in one line naming the flag', async () => {
    const r = await runCli(['plan', '--snapshot', sidecar, '--to', next]);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain(`--to ${next}: Istio ${next} is newer than the release catalog`);
    expect(r.stderr).toContain('pass --allow-unknown-version');
  });

  it('plans the minor by the general rules, with the warning in every output format and on stderr', async () => {
    const args = ['plan', '--snapshot', sidecar, '--to', next, '--allow-unknown-version'];
    const json = await runCli([...args, '-o', 'json']);
    expect(json.stderr).toMatch(WARNING);
    expect([0, 3]).toContain(json.exitCode);
    const plan = JSON.parse(json.stdout);
    expect(plan.target.version).toBe(`${next}.0`);
    expect(plan.warnings.find((w: { id: string }) => w.id === 'unknown-target-version').message).toMatch(WARNING);
    const last = plan.hops[plan.hops.length - 1];
    expect(last.to).toBe(`${next}.0`);
    // The newest known release's chart names and tag templates, for the new version.
    const hopSteps = plan.steps.filter((s: { hop: number }) => s.hop === last.index);
    const argv = hopSteps.flatMap((s: { commands: { argv: string[] }[] }) => s.commands.map((c) => c.argv.join(' ')));
    expect(argv.some((a: string) => a.startsWith(`helm install istiod-${next.replace('.', '-')}-0 istiod --repo https://blob.istio.io/istio-release/charts`) && a.includes(`--version ${next}.0`))).toBe(true);
    expect(argv.some((a: string) => a.includes('templates/revision-tags') && a.includes(`--version ${next}.0`))).toBe(true);

    const yaml = await runCli([...args, '-o', 'yaml']);
    expect((load(yaml.stdout) as { warnings: { message: string }[] }).warnings.some((w) => WARNING.test(w.message))).toBe(true);
    const text = await runCli(args);
    // The banner right under the header, wrapped to the width like all prose.
    expect(text.stdout.split('\n').slice(0, 10).join(' ').replace(/\s+/g, ' ')).toMatch(new RegExp(`!!! ${WARNING.source}`));
    const md = await runCli([...args, '-o', 'markdown']);
    expect(md.stdout).toMatch(new RegExp(`> \\[!WARNING\\]\\n> ${WARNING.source}`));
  });
});
