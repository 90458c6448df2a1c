/**
 * Per-call cost of the fakes (median wall time of execa calls against a fake API server holding the ambient mesh).
 *   npx tsx test/fakebin/bench.ts
 */
import { execa } from 'execa';
import { harness } from '../fakebin-tests/mesh.js';
import { ensureFakeBinBuilt } from './index.js';

await ensureFakeBinBuilt();
const h = await harness('ambient');
async function median(label: string, args: () => [string, string[]], n = 9): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const [tool, argv] = args();
    const t = performance.now();
    const r = await execa(tool, argv, { env: h.env, extendEnv: false, reject: false });
    times.push(performance.now() - t);
    if (r.exitCode !== 0) throw new Error(`${label}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(48)} ${times[Math.floor(n / 2)]!.toFixed(0).padStart(4)} ms`);
}
await median('node -e 0 (baseline)', () => ['node', ['-e', '0']]);
await median('helm version --short', () => ['helm', ['version', '--short']]);
await median('helm list -A -o json', () => ['helm', ['list', '-A', '-o', 'json']]);
await median('helm get values istio-cni -o yaml', () => ['helm', ['get', 'values', 'istio-cni', '-n', 'istio-system', '-o', 'yaml']]);
let v = 0;
await median('helm upgrade istio-cni (DaemonSet rollout, 2 nodes)', () => ['helm', ['upgrade', 'istio-cni', 'istio/cni', '-n', 'istio-system', '--version', `1.24.${v++}`, '--set', 'profile=ambient', '--wait']]);
await median('helm template (revision tags, 1.28)', () => ['helm', ['template', 'istiod-1-28-1', 'istio/istiod', '-n', 'istio-system', '--version', '1.28.1', '-s', 'templates/revision-tags-mwc.yaml', '-s', 'templates/revision-tags-svc.yaml', '--set', 'revisionTags={prod}', '--set', 'revision=1-28-1']]);
let i = 0;
await median('helm install istiod-<rev> (Deployment, RS, pod, webhooks)', () => ['helm', ['install', `istiod-x${i++}`, 'istio/istiod', '-n', 'istio-system', '--version', '1.24.6', '--set', `revision=x${i}`, '--wait']]);
await median('istioctl tag set --overwrite', () => ['istioctl', ['tag', 'set', 'prod', '--revision', '1-23-6', '--overwrite', '-y']]);
await median('istioctl x precheck', () => ['istioctl', ['x', 'precheck']]);
await h.close();
