import { arrayField, field, label, stringField, type KubeObject } from '../objects.js';
import { valueAt } from '../helm-release.js';
import type { Revision, Tag } from '../inventory.js';
import { versionFromImage } from './lean-pod.js';
import { deploymentRollout, healthOf, helmOwner, installMethodOf, releaseKey, type OperatorContext, type ReleaseIndex } from './common.js';
import { leavesOfMeshConfigMap, meshConfigMapName } from '../mesh-config.js';
import { MESH_DIGESTS } from '../snapshot-writer.js';
import type { RawCluster } from './raw.js';

export const DEFAULT_VALIDATOR = 'istiod-default-validator';

export function revisionName(obj: KubeObject): string {
  return label(obj, 'istio.io/rev') ?? 'default';
}

function isTagObject(obj: KubeObject): boolean {
  return label(obj, 'istio.io/tag') !== undefined;
}

export function buildRevisions(raw: RawCluster, releases: ReleaseIndex, ops: OperatorContext): Revision[] {
  const ns = raw.istioNamespace;
  const byName = new Map<string, Revision>();
  const ensure = (name: string): Revision => {
    let rev = byName.get(name);
    if (!rev) {
      rev = {
        name,
        version: null,
        namespace: ns,
        deployment: null,
        image: null,
        rollout: null,
        health: 'unknown',
        injectorWebhook: null,
        validatingWebhooks: [],
        meshConfigMap: null,
        installMethod: 'unknown',
        helmRelease: null,
        profile: null,
        compatibilityVersion: null,
        ambient: false,
        tags: [],
      };
      byName.set(name, rev);
    }
    return rev;
  };

  for (const d of raw.istiodDeployments) {
    const rev = ensure(revisionName(d));
    const containers = arrayField(d, 'spec', 'template', 'spec', 'containers');
    const discovery = containers.find((c) => stringField(c, 'name') === 'discovery') ?? containers[0];
    rev.deployment = d.metadata.name;
    rev.image = stringField(discovery, 'image') ?? null;
    rev.version = versionFromImage(rev.image);
    rev.rollout = deploymentRollout(d);
    rev.health = healthOf(rev.rollout);
    rev.installMethod = installMethodOf(d, releases, ops);
    rev.helmRelease = helmOwner(d, releases);
    const env = arrayField(discovery, 'env');
    rev.ambient = env.some((e) => stringField(e, 'name') === 'PILOT_ENABLE_AMBIENT' && stringField(e, 'value') === 'true');
    if (rev.helmRelease) {
      const rel = releases.get(releaseKey(rev.helmRelease.namespace, rev.helmRelease.release))!;
      // The `ambient` umbrella chart nests istiod's values under `istiod.` and defaults its profile to ambient.
      const umbrella = rel.chartName === 'ambient';
      const at = (path: string) => valueAt(rel.values, umbrella ? `istiod.${path}` : path);
      const profile = at('profile') ?? at('global.profile') ?? (umbrella ? (valueAt(rel.values, 'global.profile') ?? 'ambient') : undefined);
      rev.profile = typeof profile === 'string' ? profile : null;
      const compat = at('compatibilityVersion');
      rev.compatibilityVersion = typeof compat === 'string' || typeof compat === 'number' ? String(compat) : null;
      if (rev.profile === 'ambient') rev.ambient = true;
      if (!rev.version && rel.appVersion) rev.version = rel.appVersion;
    }
  }

  for (const mwc of raw.mutatingWebhooks) {
    if (isTagObject(mwc) || label(mwc, 'istio.io/rev') === undefined) continue;
    if (!/^istio-sidecar-injector/.test(mwc.metadata.name)) continue;
    ensure(revisionName(mwc)).injectorWebhook = mwc.metadata.name;
  }
  for (const vwc of raw.validatingWebhooks) {
    if (vwc.metadata.name === DEFAULT_VALIDATOR || isTagObject(vwc)) continue;
    if (label(vwc, 'istio.io/rev') === undefined || !/^istio(d)?-validator/.test(vwc.metadata.name)) continue;
    const rev = byName.get(revisionName(vwc));
    if (rev) rev.validatingWebhooks.push(vwc.metadata.name);
  }
  for (const rev of byName.values()) {
    const cm = meshConfigMapName(rev.name);
    if (raw.istioConfigMaps.some((c) => c.metadata.name === cm)) rev.meshConfigMap = cm;
    const full = raw.meshConfigMaps.find((c) => c.metadata.name === cm);
    const leaves = full ? leavesOfMeshConfigMap(full as Parameters<typeof leavesOfMeshConfigMap>[0], MESH_DIGESTS) : null;
    if (leaves) rev.meshConfig = leaves;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function buildTags(raw: RawCluster, revisions: Revision[]): Tag[] {
  const tags = new Map<string, Tag>();
  const ensure = (name: string, revision: string): Tag => {
    let tag = tags.get(name);
    if (!tag) tags.set(name, (tag = { name, revision, webhook: null, service: null, namespaces: [], conflicting: false }));
    return tag;
  };
  for (const mwc of raw.mutatingWebhooks) {
    const t = label(mwc, 'istio.io/tag');
    if (!t) continue;
    ensure(t, revisionName(mwc)).webhook = mwc.metadata.name;
  }
  for (const svc of raw.tagServices) {
    const t = label(svc, 'istio.io/tag');
    if (!t) continue;
    const tag = ensure(t, revisionName(svc));
    tag.service = svc.metadata.name;
    if (tag.revision !== revisionName(svc)) tag.conflicting = true;
  }
  for (const n of raw.namespaces) {
    const rev = label(n, 'istio.io/rev');
    if (rev && tags.has(rev)) tags.get(rev)!.namespaces.push(n.metadata.name);
  }
  for (const tag of tags.values()) {
    tag.namespaces.sort();
    revisions.find((r) => r.name === tag.revision)?.tags.push(tag.name);
  }
  for (const r of revisions) r.tags.sort();
  return [...tags.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Whether an injector MutatingWebhookConfiguration still injects `istio-injection=enabled` namespaces.
 * istioctl, when it creates the `default` tag for a revision-less control plane, deactivates that
 * revision's own webhooks in place by replacing their selectors with one that never matches
 * (`istio.io/deactivated: never-match`) instead of deleting them.
 */
export function injectsEnabledNamespaces(mwc: KubeObject | undefined): boolean {
  if (!mwc) return false;
  return arrayField(mwc, 'webhooks').some((w) => {
    if (stringField(w, 'name') !== 'namespace.sidecar-injector.istio.io') return false;
    return !isDeactivated(field(w, 'namespaceSelector')) && !isDeactivated(field(w, 'objectSelector'));
  });
}

function isDeactivated(selector: unknown): boolean {
  const matchLabels = field(selector, 'matchLabels');
  return !!matchLabels && typeof matchLabels === 'object' && 'istio.io/deactivated' in matchLabels;
}

export function defaultValidatorRevision(raw: RawCluster): string | null {
  const vwc = raw.validatingWebhooks.find((v) => v.metadata.name === DEFAULT_VALIDATOR);
  if (!vwc) return null;
  const fromLabel = label(vwc, 'istio.io/rev');
  if (fromLabel) return fromLabel;
  const svc = stringField(arrayField(vwc, 'webhooks')[0], 'clientConfig', 'service', 'name');
  if (!svc) return null;
  return svc === 'istiod' ? 'default' : svc.replace(/^istiod-/, '');
}
