import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOperatorFile } from '../../src/cli/operator-file.js';
import { UserError } from '../../src/errors.js';
import type { Inventory } from '../../src/k8s/inventory.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { planDigest } from '../../src/plans/plan-integrity.js';
import { planSchema } from '../../src/steps/registry.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

/** The operator fixture as a plain istioctl install (no in-cluster operator): what issue 9 defect 6 is about. */
async function istioctlInstall(): Promise<Inventory> {
  const inv = structuredClone(await inventoryOf('istioctl-operator-1.22'));
  inv.installMethod = 'istioctl';
  for (const r of inv.revisions) r.installMethod = 'istioctl';
  inv.operators.inCluster = { deployments: [], istioOperators: [] };
  return inv;
}

const dir = mkdtempSync(join(tmpdir(), 'iop-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const IOP = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: default\n  hub: registry.example.com/istio\n  meshConfig:\n    accessLogFile: /dev/stdout\n';

describe('istioctl installs keep their customisation (issue 9 defect 6)', () => {
  it('without --istio-operator-file the canary is blocked with the fix', async () => {
    const p = planUpgrade(await istioctlInstall(), requestFor({ name: 'iop', fixture: '', request: { to: '1.23' }, expect: { blocked: true, hops: 1 } }));
    expect(p.blockers.map((b) => b.id)).toContain('istioctl-needs-operator-file');
  });

  it('with it, the new revision is installed from the file (no bare profile) and the file checksum is in the plan', async () => {
    const operatorFile = readOperatorFile(file('iop.yaml', IOP));
    expect(operatorFile.sha256).toMatch(/^[0-9a-f]{64}$/);
    const p = planUpgrade(await istioctlInstall(), requestFor({ name: 'iop', fixture: '', request: { to: '1.23', istioOperatorFile: operatorFile }, expect: { blocked: false, hops: 1 } }));
    expect(p.blockers.map((b) => b.id)).not.toContain('istioctl-needs-operator-file');
    const install = p.steps.find((s) => s.kind === 'istiod-install')!;
    expect(install.commands[0]!.argv.slice(0, 5)).toEqual(['istioctl', 'install', '-y', '-f', operatorFile.path]);
    expect(install.commands[0]!.argv).not.toContain('profile=minimal');
    expect(install.commands[0]!.argv).toContain('revision=1-23-6');
    expect(install.why.map((w) => w.text).join(' ')).toContain(operatorFile.sha256);
    // the plan reads back as written: its digest still matches (apply would refuse it as edited otherwise)
    expect(planDigest(planSchema.parse(JSON.parse(JSON.stringify(p))))).toBe(planDigest(p));
  });

  it('a missing, non-YAML or non-IstioOperator file is a one-line usage error', () => {
    for (const [path, msg] of [
      [join(dir, 'missing.yaml'), /cannot read it \(ENOENT\)/],
      [file('bad.yaml', 'a: [1'), /not valid YAML/],
      [file('deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\n'), /expected one IstioOperator/],
      [dir, /cannot read it/],
    ] as const) {
      let err: unknown;
      try {
        readOperatorFile(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
