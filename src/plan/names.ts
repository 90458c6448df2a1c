/**
 * Names that reach helm/istioctl argv. Some come from cluster data (Helm release Secrets), so a name
 * like `--kube-apiserver=https://…` must never become an argument: it is refused at plan time.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HELM_RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Helm's own rule: a lowercase DNS-1123 subdomain of at most 53 characters. */
export function isHelmReleaseName(name: string): boolean {
  return name.length <= 53 && HELM_RELEASE.test(name);
}

/**
 * A component the operator's value overrides name (`--set COMPONENT:key=value`): a chart the planner upgrades with
 * Helm, and for gateways the release (`gateway/NAME`), since a mesh has several.
 */
export function isOverrideComponent(name: string): boolean {
  if (['base', 'istiod', 'cni', 'ztunnel'].includes(name)) return true;
  return name.startsWith('gateway/') && isHelmReleaseName(name.slice('gateway/'.length));
}
