// Simulated istioctl for the real-cluster tier. There is no istioctl built here (its module pulls in all of Istio),
// so only what the product runs against Helm installs is played: `x precheck` (reads /version from the cluster of the
// kubeconfig and applies istioctl's minimum Kubernetes minor) and `version`. Anything else fails loudly.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import yaml from 'js-yaml';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const VERSION = process.env.SIM_ISTIOCTL_VERSION ?? '1.24.6';

function target() {
  const file = flag('kubeconfig') ?? (process.env.KUBECONFIG ?? '').split(':')[0];
  const cfg = yaml.load(readFileSync(file, 'utf8'));
  const ctxName = flag('context') ?? cfg['current-context'];
  const ctx = cfg.contexts.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`context "${ctxName}" does not exist`);
  const cluster = cfg.clusters.find((c) => c.name === ctx.cluster).cluster;
  const user = cfg.users.find((u) => u.name === ctx.user).user;
  return { server: cluster.server, ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString(), token: user.token };
}

function get(t, path) {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.server), { ca: t.ca, headers: { authorization: `Bearer ${t.token}` }, timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** istioctl/pkg/install/k8sversion: minimum Kubernetes minor per istioctl minor. */
function minKubernetes(v) {
  const m = Number(v.split('.')[1]);
  return m <= 23 ? 26 : m <= 25 ? 28 : m <= 28 ? 29 : m === 29 ? 30 : 32;
}

try {
  if (args[0] === 'version') {
    console.log(args.includes('--short') || args.includes('--remote=false') ? VERSION : `client version: ${VERSION}`);
  } else if (args[0] === 'x' && args[1] === 'precheck') {
    const v = await get(target(), '/version');
    if (Number(v.minor.replace(/\D.*$/, '')) < minKubernetes(VERSION)) {
      console.error(`Error: Kubernetes ${v.gitVersion} is below the minimum 1.${minKubernetes(VERSION)} for Istio ${VERSION}`);
      process.exit(1);
    }
    console.log('✔ No issues found when checking the cluster. Istio is safe to install or upgrade!');
  } else {
    console.error(`simulated istioctl: "${args.join(' ')}" is not simulated in the real-cluster tier`);
    process.exit(64);
  }
} catch (e) {
  console.error(`Error: ${e.message}`);
  process.exit(1);
}
