import { BUNDLE_VERSION_ANNOTATION, CHANNEL_ANNOTATION, SAFE_UPGRADES_POLICY } from '../k8s/gateway-api.js';
import type { KubeObject } from '../k8s/objects.js';

/**
 * A Gateway API release manifest (kubernetes-sigs/gateway-api `standard-install.yaml` / `experimental-install.yaml`),
 * fetched at apply time and checked before anything is applied: the plan records the URL, not the content, so the
 * content must prove it is the bundle the plan names.
 */


const GROUPS = /\.gateway\.networking\.(x-)?k8s\.io$/;
/** The release manifests are about 1 MB (experimental); anything far larger is not one. */
const MAX_BYTES = 16 * 1024 * 1024;

/** What in a fetched manifest is not the Gateway API bundle `v<version>` of `channel`; empty when it is. */
export function bundleProblems(objects: KubeObject[], version: string, channel: string): string[] {
  if (!objects.some((o) => o.kind === 'CustomResourceDefinition')) return ['it holds no CustomResourceDefinition'];
  const out: string[] = [];
  for (const o of objects) {
    const name = `${o.kind} ${o.metadata.name}`;
    if (o.kind === 'CustomResourceDefinition') {
      const a = o.metadata.annotations ?? {};
      if (!GROUPS.test(o.metadata.name)) out.push(`${name} is not a Gateway API CRD`);
      else if (a[BUNDLE_VERSION_ANNOTATION] !== `v${version}`) out.push(`${name} is bundle ${a[BUNDLE_VERSION_ANNOTATION] ?? '(none)'}, not v${version}`);
      else if (a[CHANNEL_ANNOTATION] !== channel) out.push(`${name} is channel ${a[CHANNEL_ANNOTATION] ?? '(none)'}, not ${channel}`);
    } else if (!(o.apiVersion.startsWith('admissionregistration.k8s.io/') && /^ValidatingAdmissionPolicy(Binding)?$/.test(o.kind) && o.metadata.name.startsWith(SAFE_UPGRADES_POLICY))) {
      out.push(`${name} is not part of a Gateway API release`);
    }
  }
  return out;
}

/** GET of a release manifest: https, or http on the loopback only (a local mirror); bounded in time and size. */
export async function fetchManifest(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const u = new URL(url);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) throw new Error(`${url}: only https (or http on the loopback) is fetched`);
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`GET ${url}: ${text.length} bytes, more than a Gateway API release manifest`);
  return text;
}
