/**
 * Where the mesh's images come from. Istio's charts take a `hub` (a registry path the image names are appended to) and
 * per-component `image` values (a name, or a full reference that bypasses the hub); istioctl's IstioOperator takes
 * `spec.hub` and the same values under `spec.values`. Reused values that name a retired registry would make the new
 * revision pull from there.
 */
import { ExitCode, UserError } from '../errors.js';
import { isImageSettingPath } from '../k8s/redact.js';

/** One `hub`/`image` setting: its dotted value path (`global.hub`, `pilot.image`) and what it says. */
export interface ImageSetting {
  path: string;
  value: string;
}

/** Every `hub`/`image` leaf holding a string, with its dotted path, in document order. */
export function imageSettings(values: unknown, prefix = ''): ImageSetting[] {
  if (Array.isArray(values)) return values.flatMap((v, i) => imageSettings(v, `${prefix}[${i}]`));
  if (!values || typeof values !== 'object') return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isImageSettingPath(k) && typeof v === 'string') return v.trim() ? [{ path, value: v.trim() }] : [];
    return imageSettings(v, path);
  });
}

/**
 * `--hub REGISTRY` as typed: a registry host with an optional path (`docker.io/istio`, `registry.example.com:5000/mirror/istio`),
 * no scheme, tag or digest (the charts append `/<image>:<tag>`).
 */
export function parseHub(value: string): string {
  const v = value.trim().replace(/\/+$/, '');
  const bad = (why: string) => new UserError(`--hub "${value}" ${why}`, ExitCode.usage);
  if (!v) throw bad('is empty: give the registry path the images are under, e.g. docker.io/istio or registry.example.com/mirror/istio');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw bad('has a scheme: give the registry path without it, e.g. registry.example.com/istio');
  if (v.startsWith('-') || /\s/.test(v)) throw bad('is not a registry path');
  if (/[@]/.test(v) || /:[^/]*$/.test(v.slice(v.indexOf('/') + 1 || v.length))) throw bad('names a tag or digest: give only the registry path; the charts add /<image>:<version>');
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(v)) throw bad('is not a registry path (host[:port]/path in lowercase)');
  return v;
}
