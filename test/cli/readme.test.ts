import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from '../support/cli.js';

// The user guide's command lines (quick start, CI pipelines) must use commands and flags that exist.
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(?:sh|yaml)\n([\s\S]*?)```/g)].map((m) => m[1]!);
const invocations = blocks
  .flatMap((b) => b.split('\n'))
  .map((line) => line.replace(/(^|\s)#.*$/, ''))
  .flatMap((line) => [...line.matchAll(/istio-upgrade ([a-z-]+)((?: +[^\s#|>&;]+)*)/g)])
  .map((m) => ({ command: m[1]!, flags: (m[2] ?? '').split(/\s+/).filter((t) => /^--?[a-zA-Z]/.test(t)).map((t) => t.replace(/=.*/, '')) }))
  .filter((i) => !['npm', 'install'].includes(i.command));

describe('README', () => {
  it('has command lines to check', () => {
    expect(new Set(invocations.map((i) => i.command))).toEqual(new Set(['version', 'status', 'plan', 'apply', 'history', 'rollback', 'completion']));
  });

  // Issue 10: a complete pipeline per CI system: plan --out, the plan as an artifact, apply only after an approval,
  // NDJSON step events; how it works, the tests and the benchmarks live in docs/development.md instead.
  it.each([
    ['GitHub Actions', [/istio-upgrade plan [^\n]*--out plan\.json/, /actions\/upload-artifact/, /actions\/download-artifact/, /environment: \S+/, /istio-upgrade apply plan\.json [^\n]*--events \S+\.ndjson/]],
    ['GitLab CI', [/istio-upgrade plan [^\n]*--out plan\.json/, /artifacts:/, /when: manual/, /istio-upgrade apply plan\.json [^\n]*--events \S+\.ndjson/]],
  ])('has a complete %s pipeline', (name, patterns) => {
    const section = readme.split(`### ${name}`)[1]?.split(/\n##+ /)[0] ?? '';
    for (const p of patterns as RegExp[]) expect(section, `${name}: ${p}`).toMatch(p);
  });

  it('leaves how it works, the tests and the benchmarks to docs/development.md', () => {
    const dev = readFileSync(join(repoRoot, 'docs', 'development.md'), 'utf8');
    expect(dev).toMatch(/^## How it works$/m);
    expect(dev).toMatch(/^## Tests$/m);
    expect(dev).toMatch(/^## Performance$/m);
    expect(readme).toContain('docs/development.md');
  });

  it.each([...new Set(invocations.map((i) => i.command))])('uses only flags that `%s --help` lists', async (command) => {
    const r = await runCli([command, '--help'], { COLUMNS: '200' });
    expect(r.exitCode).toBe(0);
    const help = r.stdout;
    const flags = [...new Set(invocations.filter((i) => i.command === command).flatMap((i) => i.flags))];
    for (const flag of flags) expect(help, `${command} ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}[\\s,]`, 'm'));
  });
});
