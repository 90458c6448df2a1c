/**
 * End to end, issue 8 scenario (e): a plan whose steps run istioctl (an istioctl-installed mesh: the new revision is
 * installed with `istioctl install -f <IstioOperator file>`) needs the istioctl client of the hop's minor. With
 * another minor on PATH, apply stops in preflight (exit 3) naming the download hint and `--istioctl MINOR=PATH`,
 * before the lock, a run record or any change; with `--istioctl 1.23=PATH` naming the right binary it applies.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fakeBinDir } from '../fakebin/index.js';
import { imageVersion } from './checks.js';
import { isMutating, mutatingRequests, shortArgv, startCluster, type E2eCluster } from './harness.js';

const IOP = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: default\n';

/** The operator fixture as a plain `istioctl install` (no in-cluster operator, no IstioOperator resource). */
async function istioctlMesh(ctx: Parameters<typeof startCluster>[0], istioctlVersion: string): Promise<E2eCluster> {
  return startCluster(ctx, {
    fixture: 'istioctl-operator-1.22',
    fakeEnv: { FAKE_ISTIOCTL_VERSION: istioctlVersion },
    mutate: (objects) => {
      for (let i = objects.length - 1; i >= 0; i--) {
        const o = objects[i]!;
        if (o.kind === 'IstioOperator' || (o.metadata.namespace === 'istio-operator' && o.kind !== 'Namespace')) objects.splice(i, 1);
      }
    },
  });
}

/** An istioctl binary of another version: the fake one with its version pinned (a real download is one such binary). */
function istioctlOf(c: E2eCluster, version: string): string {
  const path = join(c.dir, `istioctl-${version}`);
  writeFileSync(path, `#!/bin/sh\nFAKE_ISTIOCTL_VERSION=${version} exec "${join(fakeBinDir, 'istioctl')}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

async function planWithIstioctlInstall(c: E2eCluster): Promise<void> {
  const iop = join(c.work, 'iop.yaml');
  writeFileSync(iop, IOP);
  const plan = await c.plan(['--to', '1.23', '--istio-operator-file', iop]);
  expect(plan.blockers, JSON.stringify(plan.blockers)).toEqual([]);
  const install = plan.steps.find((s) => s.kind === 'istiod-install')!;
  expect(install.commands[0]!.istioctl?.op).toBe('install');
}

describe.concurrent('e2e: istioctl of the wrong minor (issue 8 scenario e)', () => {
  test('istioctl 1.22 on PATH for a 1.23 istioctl install: blocked in preflight (exit 3) with the download hint, nothing changed', async (ctx) => {
    const c = await istioctlMesh(ctx, '1.22.8');
    await planWithIstioctlInstall(c);
    c.server.clearRequests();
    const dry = await c.cli(['apply', c.planPath, '--dry-run'], { timeoutMs: 120_000 });
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    for (const out of [dry, r]) {
      expect(out.exitCode, out.stderr).toBe(3);
      expect(out.stderr).toContain('istioctl 1.22.8 cannot run the 1.23 steps: they need istioctl 1.23.x; download it (curl -sL https://istio.io/downloadIstio | ISTIO_VERSION=1.23.');
      expect(out.stderr).toContain('and pass --istioctl 1.23=<path to its bin/istioctl>');
    }
    expect(mutatingRequests(c.server)).toEqual([]);
    expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual([]);
    expect(c.localRuns()).toEqual([]);
  }, 300_000);

  test('the same plan with --istioctl 1.23=PATH naming a 1.23 client: the install runs with that binary and the apply completes', async (ctx) => {
    const c = await istioctlMesh(ctx, '1.22.8');
    await planWithIstioctlInstall(c);
    const istioctl123 = istioctlOf(c, '1.23.6');
    const r = await c.cli(['apply', c.planPath, '--yes', '--istioctl', `1.23=${istioctl123}`], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const installs = c.callLog().filter((x) => x.argv[0] === 'istioctl' && x.argv[1] === 'install');
    expect(installs).toHaveLength(1);
    // the binary named for 1.23 installed it (the PATH one would have installed its own 1.22.8)
    expect(imageVersion(c.server, 'Deployment', 'istio-system', 'istiod-1-23-6')).toBe('1.23.6');
    expect(c.localRuns()[0]!.steps[0]!.note).toContain('istioctl 1.23.6');
  }, 300_000);
});
