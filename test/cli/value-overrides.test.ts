import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

/** `plan --set/--values` with the built CLI (NO_COLOR, COLUMNS=80): what the plan shows and what it refuses. */
const snapshot = fixturePath('sidecar-revisioned-1.22');
const dir = mkdtempSync(join(tmpdir(), 'value-overrides-'));
const values = join(dir, 'gateway.yaml');
writeFileSync(values, 'autoscaling:\n  minReplicas: 3\nserviceAccount:\n  annotations:\n    example.com/role: arn-secret-123\n');

describe('plan --set / --values', () => {
  it('shows the keys and the file digest in text, JSON and Markdown, never a value', async () => {
    const args = ['plan', '--snapshot', snapshot, '--to', '1.23', '--values', `gateway/istio-ingress=${values}`, '--set', 'istiod:pilot.env.TOKEN=hunter2'];
    const text = await runCli(args);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('Value overrides (3 keys; values are not shown, apply needs the same flags)');
    // Wrapped to 80 columns: the second key continues on the next line.
    expect(text.stdout).toMatch(/^ {2}gateway\/istio-ingress: autoscaling\.minReplicas,\n {4}serviceAccount\.annotations\.example\.com\/role$/m);
    expect(text.stdout).toMatch(/^ {2}--values gateway\/istio-ingress=\S+gateway\.yaml\n {4}sha256:[0-9a-f]{64}$/m);
    expect(text.stdout).toMatch(/^ {2}istiod: pilot\.env\.TOKEN$/m);
    expect(text.stdout).toContain('--values <overrides-of:istiod>');
    for (const line of text.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const format of ['json', 'markdown']) {
      const r = await runCli([...args, '-o', format]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('pilot.env.TOKEN');
      expect(r.stdout).not.toMatch(/hunter2|arn-secret-123|minReplicas: 3/);
    }
  });

  it.each([
    [['--set', 'istiod:istio_cni.enabled=true'], /^istio-upgrade: error: --set istiod:istio_cni\.enabled: Istio 1\.22 renamed istio_cni to pilot\.cni; set pilot\.cni\.enabled instead \[1\.22-istio-cni-values\]$/],
    [['--set', 'istiod:pilot.configSource.subscribedResources=x'], /--set istiod:pilot\.configSource\.subscribedResources: Istio 1\.24 removed pilot\.configSource \(the target 1\.24\.6 no longer reads it\)/],
    [['--set', 'mesh:x=1'], /unknown component "mesh": expected base, istiod, cni, ztunnel or gateway\/NAME/],
    [['--values', 'istiod'], /--values istiod: expected COMPONENT=FILE/],
    [['--values', `istiod=${join(dir, 'absent.yaml')}`], /cannot read it \(ENOENT\)/],
    [['--set', 'ztunnel:logLevel=debug'], /--set ztunnel:logLevel: this plan installs or upgrades no Helm release of ztunnel \(it does: base, gateway\/istio-ingress, istiod\)/],
    [['--set', 'istiod:revision=mine'], /--set istiod:revision: the plan itself sets revision on istio-system\/istiod-1-24-6/],
  ])('refuses %j in one line with exit 64', async (flags, message) => {
    const r = await runCli(['plan', '--snapshot', snapshot, '--to', '1.24', ...flags]);
    expect(r.exitCode).toBe(64);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
