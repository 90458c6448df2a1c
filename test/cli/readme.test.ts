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

  it.each([...new Set(invocations.map((i) => i.command))])('uses only flags that `%s --help` lists', async (command) => {
    const r = await runCli([command, '--help'], { COLUMNS: '200' });
    expect(r.exitCode).toBe(0);
    const help = r.stdout;
    const flags = [...new Set(invocations.filter((i) => i.command === command).flatMap((i) => i.flags))];
    for (const flag of flags) expect(help, `${command} ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}[\\s,]`, 'm'));
  });
});
