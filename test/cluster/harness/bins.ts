/** Where test/cluster/build.sh puts (or would put) the binaries, and whether they are all there. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'build.sh');
export const BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'helm3', 'helm4'] as const;

/** The binary directory of the pinned versions (`build.sh --dir`; ISTIO_UPGRADE_CLUSTER_BIN overrides). */
export function binDir(): string {
  return execFileSync('bash', [BUILD_SCRIPT, '--dir'], { encoding: 'utf8' }).trim();
}

/** Why the real-cluster tier cannot run here with Helm `helm`, or undefined when it can. */
export function notRunReason(helm: 3 | 4): string | undefined {
  let dir: string;
  try {
    dir = binDir();
  } catch (e) {
    return `test/cluster/build.sh --dir failed: ${String(e)}`;
  }
  const missing = BINARIES.filter((b) => !b.startsWith('helm') || b === `helm${helm}`).filter((b) => !existsSync(join(dir, b)));
  if (missing.length) return `binaries not built (${missing.join(', ')} missing in ${dir}): run test/cluster/build.sh (needs Go)`;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return 'openssl is not installed (the harness makes its certificates with it)';
  }
  return undefined;
}
