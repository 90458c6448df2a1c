import { BUNDLE_VERSION_ANNOTATION, CHANNEL_ANNOTATION, SAFE_UPGRADES_POLICY } from '../k8s/gateway-api.js';
import { createHash } from 'node:crypto';
import type { KubeObject } from '../k8s/objects.js';
import type { PinnedManifest } from './ports.js';
import type { FetchedBundle } from './prerequisites.js';

/**
 * A Gateway API release manifest (kubernetes-sigs/gateway-api `standard-install.yaml` / `experimental-install.yaml`),
 * fetched by apply with the prerequisites, before the first change, and checked to be exactly the bundle the plan
 * names; its sha256 is then pinned in the run record, and the step applies those very bytes.
 *
 * Why the plan records the URL and not a digest: `plan` is a pure function of the inventory and works offline (from a
 * snapshot, on a machine that reaches only the cluster), and the release manifests are not content-addressed, so a
 * digest at plan time would need a fetch that planning cannot always make, or a table of digests in the catalog that
 * nobody can check without fetching either. The content proves what it is instead (every object a Gateway API CRD of
 * that version and channel), and the digest is taken where the manifest is fetched anyway: apply's prerequisites. A
 * resumed attempt or a rollback of the run fetches it again and refuses other bytes under the same URL.
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

/** A bundle one of the plan's commands applies (its steps or their rollbacks). */
export interface BundleNeed {
  url: string;
  version: string;
  channel: 'standard' | 'experimental';
}

/** A bundle fetched and checked before the first change: what the run record keeps. */
export interface PinnedBundle extends BundleNeed {
  sha256: string;
}

export function manifestDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Why `objects` (parsed from the manifest at `need.url`) are not the bundle the plan names; undefined when they are. */
export function foreignBundle(objects: KubeObject[], need: BundleNeed): string | undefined {
  const problems = bundleProblems(objects, need.version, need.channel);
  return problems.length ? `${need.url} is not the Gateway API v${need.version} ${need.channel} bundle: ${problems.slice(0, 3).join('; ')}` : undefined;
}

/** A manifest whose bytes differ from the ones pinned before the first change (or by an earlier attempt of the run). */
export function changedManifest(url: string, pinned: string, now: string): string | undefined {
  return pinned === now ? undefined : `the Gateway API manifest ${url} changed since this run checked it: ${pinned} then, ${now} now`;
}

/** What apply prints and the dry run lists for each manifest checked before the first change. */
export function bundleLine(b: PinnedBundle): string {
  return `Gateway API v${b.version} ${b.channel} manifest fetched and checked: ${b.url} (${b.sha256})`;
}

/** The digests a run recorded, by URL: what a later process of the run (resume, rollback) holds fetched bytes to. */
export function pinnedManifests(recorded: PinnedBundle[] | undefined): Map<string, PinnedManifest> {
  return new Map((recorded ?? []).map((r) => [r.url, { sha256: r.sha256 }]));
}

/**
 * Manifests fetched before the first change, held to the digests the run recorded: the pins the run applies with
 * (recorded digests, and the fetched bytes where they match), and why each one whose bytes changed is refused.
 */
export function holdToRecorded(recorded: PinnedBundle[] | undefined, fetched: readonly FetchedBundle[]): { manifests: Map<string, PinnedManifest>; changed: string[] } {
  const manifests = pinnedManifests(recorded);
  const changed: string[] = [];
  for (const b of fetched) {
    const was = manifests.get(b.url);
    const why = was && changedManifest(b.url, was.sha256, b.sha256);
    if (why) changed.push(why);
    else manifests.set(b.url, { sha256: b.sha256, text: b.text });
  }
  return { manifests, changed };
}
