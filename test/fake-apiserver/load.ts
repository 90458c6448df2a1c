/** Reads fixture files: multi-document YAML, JSON, `kind: List`, or an istio-upgrade ClusterSnapshot. */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { KubeObject } from './types.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function flatten(doc: unknown, out: KubeObject[]): void {
  if (doc === null || doc === undefined) return;
  if (Array.isArray(doc)) {
    for (const d of doc) flatten(d, out);
    return;
  }
  if (!isRecord(doc)) throw new Error(`fixture document is not an object: ${JSON.stringify(doc).slice(0, 100)}`);
  const kind = doc['kind'];
  if (Array.isArray(doc['items']) && typeof kind === 'string' && (kind === 'List' || kind.endsWith('List') || kind === 'ClusterSnapshot')) {
    const [, version = ''] = String(doc['apiVersion'] ?? '').split('/');
    const itemKind = kind.endsWith('List') && kind !== 'List' ? kind.slice(0, -4) : undefined;
    for (const item of doc['items'] as unknown[]) {
      // Typed lists (PodList) may omit kind/apiVersion on items, as the API server does.
      if (itemKind && isRecord(item)) {
        item['kind'] ??= itemKind;
        item['apiVersion'] ??= doc['apiVersion'] ?? version;
      }
      flatten(item, out);
    }
    return;
  }
  out.push(doc as unknown as KubeObject);
}

/** Parses fixture text; JSON is detected by its first character (fast path for large files). */
export function parseObjects(text: string, fileName = '<text>'): KubeObject[] {
  const out: KubeObject[] = [];
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    flatten(JSON.parse(text), out);
    return out;
  }
  try {
    for (const doc of yaml.loadAll(text)) flatten(doc, out);
  } catch (e) {
    throw new Error(`${fileName}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

export function loadObjectsFromFile(path: string): KubeObject[] {
  return parseObjects(readFileSync(path, 'utf8'), path);
}
