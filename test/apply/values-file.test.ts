/** Helm values reach helm as a private file that lives for one command; what a killed run left is removed next time. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepStaleValues, withValuesFiles } from '../../src/apply/values-file.js';

/** The pid of a process that has exited (and so is not running any more). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('values files', () => {
  it('are private, live under the scratch directory only while the command runs, and replace the placeholder', async () => {
    const scratch = join(mkdtempSync(join(tmpdir(), 'values-test-')), 'scratch');
    let seen: { file: string; mode: number; dirMode: number; content: string } | undefined;
    let overrides: string | undefined;
    const out = await withValuesFiles(
      ['upgrade', 'istio-ingress', 'istio/gateway', '--values', '<values-of:istio-ingress/istio-ingress>', '--values', '<overrides-of:gateway/istio-ingress>'],
      [
        { token: '<values-of:istio-ingress/istio-ingress>', name: 'istio-ingress-istio-ingress.yaml', content: async () => 'replicaCount: 3\n' },
        { token: '<overrides-of:gateway/istio-ingress>', name: 'overrides-gateway-istio-ingress.yaml', content: async () => 'replicaCount: 5\n' },
      ],
      async (args) => {
        const file = args[4]!;
        const fs = await import('node:fs');
        seen = { file, mode: statSync(file).mode & 0o777, dirMode: statSync(scratch).mode & 0o777, content: fs.readFileSync(file, 'utf8') };
        overrides = fs.readFileSync(args[6]!, 'utf8');
        return 'ran';
      },
      scratch,
    );
    expect(out).toBe('ran');
    expect(seen!.file.startsWith(join(scratch, `istio-upgrade-values-${process.pid}-`))).toBe(true);
    expect(seen!.mode).toBe(0o600);
    expect(seen!.dirMode).toBe(0o700);
    expect(seen!.content).toBe('replicaCount: 3\n');
    // The operator's overrides come second, so helm lets them win over the release's values.
    expect(overrides).toBe('replicaCount: 5\n');
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('a directory left by a dead process is removed; one of a running process is kept', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'values-test-'));
    const dead = join(scratch, `istio-upgrade-values-${deadPid()}-abc123`);
    const live = join(scratch, `istio-upgrade-values-${process.pid}-def456`);
    for (const d of [dead, live]) {
      mkdirSync(d);
      writeFileSync(join(d, 'istio-system-istiod.yaml'), 'secret: x\n');
    }
    writeFileSync(join(scratch, 'unrelated.txt'), '');
    expect(await sweepStaleValues(scratch)).toBe(1);
    expect(readdirSync(scratch).sort()).toEqual([`istio-upgrade-values-${process.pid}-def456`, 'unrelated.txt']);
  });

  it('a missing scratch directory is nothing to sweep', async () => {
    expect(await sweepStaleValues(join(tmpdir(), 'does-not-exist-values-scratch'))).toBe(0);
  });
});
