/**
 * Helm values can hold credentials (image pull secrets, CA keys, tokens), so every output and
 * every snapshot shows them redacted. Only the keys planning reads are kept verbatim.
 */
export const PLAN_RELEVANT_VALUES = [
  'revision',
  'revisionTags',
  'defaultRevision',
  'profile',
  'global.profile',
  'compatibilityVersion',
  'global.istioNamespace',
  'global.variant',
  'cni.ambient.dnsCapture',
  'ambient.dnsCapture',
  'cni.ambient.enabled',
  'base.enableCRDTemplates',
  'pilot.env.PILOT_ENABLE_AMBIENT',
  'meshConfig.discoverySelectors',
  'global.jwtPolicy',
  'istio_cni',
  // The cni chart keeps at its top level what the unified values tree nests under `cni.`.
  'cni.privileged',
  'cni.excludeNamespaces',
  'privileged',
  'excludeNamespaces',
  // Multi-cluster topology: names and addresses, never credentials.
  'global.meshID',
  'global.multiCluster.clusterName',
  'global.network',
  'global.remotePilotAddress',
  'global.externalIstiod',
  'global.configCluster',
  'istiodRemote.injectionPath',
  'istiodRemote.injectionURL',
  // What the revision-tags template reads besides the revision (tag moves render it with them).
  'sidecarInjectorWebhook.enableNamespacesByDefault',
  'sidecarInjectorWebhook.reinvocationPolicy',
  'sidecarInjectorWebhook.revisionLabelPreference',
  'meshConfig.trustDomain',
  'networkGateway',
] as const;

export const REDACTED = '<redacted>';

/** `hub`/`image` leaves (`global.hub`, `pilot.image`): registry paths, not secrets; the planner looks for retired registries in them. */
export function isImageSettingPath(path: string): boolean {
  const key = path.slice(path.lastIndexOf('.') + 1);
  return key === 'hub' || key === 'image';
}

export function redactValues(values: Record<string, unknown>, keep: readonly string[] = PLAN_RELEVANT_VALUES): Record<string, unknown> {
  return redactNode(values, '', new Set(keep)) as Record<string, unknown>;
}

// The ambient umbrella chart nests each component's values under its subchart name.
const SUBCHARTS = new Set(['base', 'istiod', 'cni', 'ztunnel', 'gateway']);

function kept(path: string, keep: Set<string>): boolean {
  if (keep.has(path) || isImageSettingPath(path)) return true;
  const dot = path.indexOf('.');
  return dot > 0 && SUBCHARTS.has(path.slice(0, dot)) && keep.has(path.slice(dot + 1));
}

function redactNode(node: unknown, path: string, keep: Set<string>): unknown {
  // Image settings (`global.hub`, `pilot.image`) are registry paths, kept so the planner can find retired registries.
  if (path && kept(path, keep) && (typeof node === 'string' || !isImageSettingPath(path))) return node;
  if (Array.isArray(node)) return node.map((v, i) => redactNode(v, `${path}[${i}]`, keep));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = redactNode(v, path ? `${path}.${k}` : k, keep);
    return out;
  }
  return node === null || node === undefined ? node : REDACTED;
}
