import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOneLineError, repoRoot, runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

const ambient = fixturePath('ambient-helm-1.23');
const fault = (name: string) => ['--import', join(repoRoot, 'test', 'cli', 'faults', name)];

describe('--debug and internal errors', () => {
  it('--debug stacks point into src/ through the external source maps; without --debug they are never enabled', async () => {
    const debug = await runCli(['plan', '--snapshot', ambient, '--debug'], {}, { nodeArgs: fault('report-source-maps.mjs') });
    expect(debug.exitCode).toBe(64);
    expect(debug.stderr).toMatch(/^istio-upgrade: error: plan needs --to <version>/);
    expect(debug.stderr).toMatch(/\n {4}at planRequestFrom \(\S*src\/cli\/commands\/plan\.ts:\d+:\d+\)/);
    expect(debug.stderr).not.toMatch(/chunk-[A-Z0-9]+\.js/);
    expect(debug.stderr).toContain('source-maps-enabled=true');

    const plain = await runCli(['plan', '--snapshot', ambient], {}, { nodeArgs: fault('report-source-maps.mjs') });
    expect(plain.exitCode).toBe(64);
    expect(plain.stderr).toContain('source-maps-enabled=false');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unanticipated error says it is a bug and what a report needs; --debug adds the mapped stack', async () => {
    const args = ['plan', '--snapshot', ambient, '--to', '1.24'];
    const r = await runCli(args, {}, { nodeArgs: fault('bug-in-plan-id.mjs') });
    expect(r.exitCode).toBe(1);
    const version = (await runCli(['--version'])).stdout.trim();
    expect(r.stderr.split('\n')).toEqual([
      'istio-upgrade: internal error: simulated bug: randomBytes failed',
      'This is a bug in istio-upgrade, not a problem with your cluster or input. Please report it with:',
      `  - the version: istio-upgrade ${version} (Node ${process.version}, ${process.platform}/${process.arch})`,
      `  - the command: istio-upgrade ${args.join(' ')}`,
      '  - the output of the same command with --debug added (a stack trace with source locations)',
    ]);
    const debug = await runCli([...args, '--debug'], {}, { nodeArgs: fault('bug-in-plan-id.mjs') });
    expect(debug.exitCode).toBe(1);
    expect(debug.stderr).toMatch(/\n {4}at newPlanId \(\S*src\/cli\/commands\/plan\.ts:\d+:\d+\)/);
    expect(debug.stderr).toContain('  - the output above (the stack trace with source locations)');
  });

  it('a plan file or snapshot that cannot be written is a one-line error, not an internal one', async () => {
    const missingDir = join(mkdtempSync(join(tmpdir(), 'iu-out-')), 'no-such-dir', 'plan.json');
    const r = await runCli(['plan', '--snapshot', ambient, '--to', '1.24', '--out', missingDir]);
    expect(r.exitCode).toBe(1);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toBe(`istio-upgrade: error: cannot write the plan file ${missingDir}: ENOENT (its directory does not exist)`);
  });
});
