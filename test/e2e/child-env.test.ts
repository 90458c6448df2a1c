/**
 * The child environment rule end to end: a kubeconfig whose user is an exec credential plugin that only works with
 * AWS_PROFILE set (as `aws eks get-token` needs a profile), a helm repositories file under XDG_CONFIG_HOME, and
 * variables that must not reach helm (HELM_KUBECONTEXT pointing elsewhere).
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { CURRENT_HTTP_REPO } from '../fakebin/index.js';
import { writeRepositories } from '../fakebin/src/repos.js';
import { startCluster } from './harness.js';

const PLUGIN = `#!/bin/sh
if [ "$AWS_PROFILE" != "mesh-admin" ]; then echo "error: AWS_PROFILE is not mesh-admin (got '$AWS_PROFILE')" >&2; exit 1; fi
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"test-token"}}'
`;

describe('e2e: helm and istioctl get what the operator configured', () => {
  test('an exec credential plugin needing AWS_PROFILE and helm config under XDG_CONFIG_HOME work for every child; cluster-selecting HELM_* does not leak', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const plugin = join(c.dir, 'eks-token');
    writeFileSync(plugin, PLUGIN);
    chmodSync(plugin, 0o755);
    const kc = yaml.load(readFileSync(c.kubeconfig, 'utf8')) as { users: { name: string; user: Record<string, unknown> }[] };
    kc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: ['--cluster', 'mesh'], interactiveMode: 'Never' } };
    writeFileSync(c.kubeconfig, yaml.dump(kc), { mode: 0o600 });
    // the repositories file lives under XDG_CONFIG_HOME, not HOME
    rmSync(join(c.home, '.config'), { recursive: true, force: true });
    const xdg = join(c.dir, 'xdg');
    writeRepositories(join(xdg, 'helm', 'repositories.yaml'), [{ name: 'istio', url: CURRENT_HTTP_REPO }]);
    const env = { AWS_PROFILE: 'mesh-admin', XDG_CONFIG_HOME: xdg, HELM_KUBECONTEXT: 'somewhere-else', HELM_NAMESPACE: 'kube-system' };

    const plan = await c.cli(['plan', '--to', '1.24', '--out', c.planPath], { env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    const r = await c.cli(['apply', c.planPath], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = c.callLog();
    expect(calls.some((x) => x.argv[1] === 'upgrade')).toBe(true);
    for (const x of calls) {
      expect(x.context).toBe('e2e');
      expect(x.env.HELM_KUBECONTEXT).toBeUndefined();
      expect(x.env.HELM_NAMESPACE).toBeUndefined();
    }

    // The same apply without the variable fails at the plugin (the product's own client needs it too): the plugin is
    // what decides, so the success above means the children got AWS_PROFILE.
    const denied = await c.cli(['status'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(denied.exitCode).not.toBe(0);
  });
});
