import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { load } from 'js-yaml';
import { ExitCode, UserError } from '../errors.js';
import { meshConfigLeaves } from '../k8s/mesh-config.js';
import { imageSettings } from '../plans/image-hub.js';
import type { OperatorFile } from '../plans/planner/request.js';

/**
 * Reads and checks the IstioOperator file an istioctl install was made from. Since 1.21 there is no installed-state
 * IstioOperator in the cluster, so without it `istioctl install` would drop every customisation of the running mesh.
 */
export function readOperatorFile(path: string): OperatorFile {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`--istio-operator-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.usage);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new UserError(`--istio-operator-file ${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`, ExitCode.usage);
  }
  const o = doc as { apiVersion?: unknown; kind?: unknown; spec?: { revision?: unknown; meshConfig?: unknown } } | null;
  if (!o || typeof o !== 'object' || o.kind !== 'IstioOperator' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('install.istio.io/')) {
    throw new UserError(`--istio-operator-file ${path}: expected one IstioOperator (apiVersion install.istio.io/v1alpha1, kind IstioOperator)`, ExitCode.usage);
  }
  return {
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    revision: typeof o.spec?.revision === 'string' && o.spec.revision ? o.spec.revision : null,
    imageSettings: imageSettings(o.spec ?? {}).map((x) => ({ ...x, path: `spec.${x.path}` })),
    meshConfig: isMapping(o.spec?.meshConfig) ? meshConfigLeaves(o.spec.meshConfig) : {},
  };
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
