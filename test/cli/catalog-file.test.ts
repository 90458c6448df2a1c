import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { listMinors } from '../../src/plans/catalog/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

const EXAMPLE = join(repoRoot, 'docs', 'examples', 'catalog-1.32.yaml');
const dir = mkdtempSync(join(tmpdir(), 'catalog-file-'));
// On a Kubernetes 1.32 supports, so the plan is not blocked by the cluster version.
const sidecar = join(dir, 'sidecar-k8s-1.33.yaml');
writeFileSync(sidecar, readFileSync(fixturePath('sidecar-revisioned-1.22'), 'utf8').replace(/^kubernetesVersion: .*$/m, 'kubernetesVersion: 1.33.4'));

type CatalogDoc = { mode?: string; releases: { minor: string; kubernetes: { max: string }; notes: unknown[] }[] };
const example = (): CatalogDoc => load(readFileSync(EXAMPLE, 'utf8')) as CatalogDoc;
function variant(name: string, change: (doc: CatalogDoc) => void): string {
  const doc = example();
  change(doc);
  const path = join(dir, name);
  writeFileSync(path, dump(doc));
  return path;
}

interface PlanDoc {
  target: { version: string; known: boolean };
  warnings: { id: string; message: string; source?: string }[];
  notes: { id: string }[];
  hops: { index: number; to: string }[];
  steps: { hop: number; commands: { argv: string[] }[] }[];
}

describe('--catalog FILE', () => {
  it('plans a release the built-in catalog does not know, from the documented example file', async () => {
    expect(listMinors()).not.toContain('1.32'); // else this example no longer shows anything new
    const refused = await runCli(['plan', '--snapshot', sidecar, '--to', '1.32']);
    expect(refused.exitCode).toBe(64);

    const r = await runCli(['plan', '--snapshot', sidecar, '--to', '1.32', '--catalog', EXAMPLE, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanDoc;
    // Known: it is in the catalog in use, so no "newer than the catalog" warning.
    expect(plan.target).toMatchObject({ version: '1.32.0', known: true });
    expect(plan.warnings.map((w) => w.id)).not.toContain('unknown-target-version');
    const notice = plan.warnings.find((w) => w.id === 'catalog-file')!;
    expect(notice.message).toContain(`release catalog file ${EXAMPLE} (version example-2027-02-01, merged over the built-in catalog)`);
    expect(notice.source).toBe('made-up example data (no Istio 1.32 release exists)');
    // The file's note and the built-in notes of the minors crossed on the way.
    expect(plan.notes.map((n) => n.id)).toEqual(expect.arrayContaining(['1.32-example-new-default', '1.24-retries']));
    const last = plan.hops[plan.hops.length - 1]!;
    expect(last.to).toBe('1.32.0');
    const argv = plan.steps.filter((s) => s.hop === last.index).flatMap((s) => s.commands.map((c) => c.argv.join(' ')));
    expect(argv.some((a) => a.startsWith('helm install istiod-1-32-0 istiod --repo https://blob.istio.io/istio-release/charts') && a.includes('--version 1.32.0'))).toBe(true);
    // The file's compatibility versions: 1.32 accepts 1.30 as its oldest.
    expect(argv.some((a) => a.includes('compatibilityVersion=1.30'))).toBe(true);
  });

  it("shows the file's version in the text plan and its note's explanation in the change ticket", async () => {
    const args = ['plan', '--snapshot', sidecar, '--to', '1.32', '--catalog', EXAMPLE];
    const text = await runCli(args);
    expect(text.stdout.replace(/\s+/g, ' ')).toContain('(version example-2027-02-01, merged over the built-in catalog)');
    const ticket = JSON.parse((await runCli([...args, '-o', 'ticket-json'])).stdout) as { risks: { id: string; explanation: string; explained: boolean }[] };
    expect(ticket.risks.find((x) => x.id === '1.32-example-new-default')).toMatchObject({
      explained: true,
      explanation: expect.stringMatching(/^In this made-up release istiod changes a default/),
    });
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.yaml'), /^istio-upgrade: error: --catalog \S+absent\.yaml: cannot read it \(ENOENT\)$/],
    ['a file that is not YAML', () => variantText('broken.yaml', 'releases: [\n'), /^istio-upgrade: error: catalog file \S+broken\.yaml: not valid YAML or JSON: /],
    [
      'a bad field, named by its path',
      () => variant('bad-k8s.yaml', (d) => (d.releases[0]!.kubernetes.max = 'latest')),
      /^istio-upgrade: error: catalog file \S+bad-k8s\.yaml: releases\[0\]\.kubernetes\.max: expected a Kubernetes minor like 1\.30$/,
    ],
    [
      'an unknown field',
      () => variant('extra.yaml', (d) => ((d.releases[0] as unknown as Record<string, unknown>).helmChartz = {})),
      /^istio-upgrade: error: catalog file \S+extra\.yaml: releases\[0\]: Unrecognized key: "helmChartz"$/,
    ],
    [
      'a minor that leaves a gap after the built-in ones',
      () => variant('gap.yaml', (d) => (d.releases[0]!.minor = '1.33')),
      // 1.33 with 1.32.0 patches fails first on the release itself; a consistent 1.33 fails on the gap (below).
      /^istio-upgrade: error: catalog file \S+gap\.yaml: releases\[0\]: /,
    ],
    [
      'a replacing catalog without a policy',
      () => variant('replace.yaml', (d) => (d.mode = 'replace')),
      /^istio-upgrade: error: catalog file \S+replace\.yaml: policy: a catalog with mode: replace needs a policy$/,
    ],
  ])('refuses %s in one line naming the file, before reading the cluster', async (_what, file, message) => {
    const r = await runCli(['plan', '--snapshot', join(dir, 'no-such-snapshot.yaml'), '--to', '1.32', '--catalog', file()]);
    expect(r.exitCode).toBe(64);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('checks the merged catalog as a whole: consecutive minors', async () => {
    const text = readFileSync(EXAMPLE, 'utf8').replaceAll('1.32', '1.33').replace("['1.30', '1.31']", "['1.31']").replace(/ {6}'1\.30':\n(?: {8}.*\n)+/, '');
    const r = await runCli(['plan', '--snapshot', sidecar, '--to', '1.33', '--catalog', variantText('gap-whole.yaml', text)]);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/^istio-upgrade: error: catalog file \S+gap-whole\.yaml: merged with the built-in catalog \(1\.\d+–1\.\d+\): releases must be consecutive minors, ascending$/m);
  });
});

function variantText(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
