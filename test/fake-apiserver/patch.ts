/**
 * Merge patch (RFC 7396), an approximation of strategic merge patch, and the merge used for
 * server-side apply. Inputs are never mutated; results may share unchanged sub-trees with inputs.
 */

type Json = unknown;
type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class PatchError extends Error {}

/** RFC 7396: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const result: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

/** Merge keys of list fields in built-in types (by field name; `ports` picks containerPort or port). */
function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'webhooks':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'readinessGates':
      return field === 'readinessGates' ? 'conditionType' : 'name';
    case 'volumeMounts':
    case 'volumeDevices':
      return field === 'volumeMounts' ? 'mountPath' : 'devicePath';
    case 'ports':
      return items.some((i) => isObj(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'conditions':
      return 'type';
    default:
      return undefined;
  }
}

/** Lists of scalars that merge as sets under strategic merge. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch, approximated: maps merge recursively (null deletes), lists of known fields
 * merge by key (with `$patch: delete|replace` on items), `finalizers` merge as a set,
 * `$patch: replace|delete` on maps, `$retainKeys`, `$deleteFromPrimitiveList/<f>`; `$setElementOrder/<f>` is ignored.
 */
export function strategicMerge(target: Json, patch: Json): Json {
  return smMap(target, patch, true);
}

/** The merge server-side apply performs on an existing object (no null-deletes; merge keys only for built-ins). */
export function applyMerge(target: Json, applied: Json, builtin: boolean): Json {
  return smMap(target, applied, builtin);
}

function smMap(target: Json, patch: Json, useKeys: boolean): Json {
  if (!isObj(patch)) return patch;
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const copy: Obj = { ...patch };
    delete copy['$patch'];
    return stripDirectives(copy);
  }
  if (directive === 'delete') return undefined;
  const result: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder/') || k === '$retainKeys') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = result[field];
      if (Array.isArray(cur) && Array.isArray(v)) result[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete result[k];
      continue;
    }
    const cur = result[k];
    if (Array.isArray(v)) {
      result[k] = useKeys ? smList(k, cur, v) : stripDirectives(v);
    } else if (isObj(v)) {
      const merged = smMap(cur, v, useKeys);
      if (merged === undefined) delete result[k];
      else result[k] = merged;
    } else {
      result[k] = v;
    }
  }
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  return result;
}

function smList(field: string, cur: Json, patchList: unknown[]): Json {
  if (PRIMITIVE_MERGE_LISTS.has(field)) {
    const base = Array.isArray(cur) ? [...cur] : [];
    for (const x of patchList) if (!base.includes(x)) base.push(x);
    return base;
  }
  const key = mergeKeyFor(field, [...patchList, ...(Array.isArray(cur) ? cur : [])]);
  if (!key) return stripDirectives(patchList);
  if (patchList.some((i) => isObj(i) && i['$patch'] === 'replace')) {
    return stripDirectives(patchList.filter((i) => !(isObj(i) && i['$patch'] === 'replace')));
  }
  const out: unknown[] = Array.isArray(cur) ? [...cur] : [];
  for (const item of patchList) {
    if (!isObj(item) || !(key in item)) {
      out.push(stripDirectives(item));
      continue;
    }
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = smMap(out[idx], item, true);
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

/** A FieldsV1-like ownership tree of the fields set in an applied configuration. */
export function fieldsV1(obj: Obj, builtin: boolean): Obj {
  const root: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isObj(v)) {
      const m: Obj = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'].includes(mk)) continue;
        m[`f:${mk}`] = fieldsOf(mk, mv, builtin);
      }
      if (Object.keys(m).length) root['f:metadata'] = m;
      continue;
    }
    root[`f:${k}`] = fieldsOf(k, v, builtin);
  }
  return root;
}

function fieldsOf(field: string, v: unknown, builtin: boolean): Obj {
  if (isObj(v)) {
    const o: Obj = { '.': {} };
    for (const [k, x] of Object.entries(v)) o[`f:${k}`] = fieldsOf(k, x, builtin);
    return o;
  }
  if (Array.isArray(v) && builtin) {
    if (PRIMITIVE_MERGE_LISTS.has(field)) {
      const o: Obj = { '.': {} };
      for (const x of v) o[`v:${JSON.stringify(x)}`] = {};
      return o;
    }
    const key = mergeKeyFor(field, v);
    if (key) {
      const o: Obj = { '.': {} };
      for (const item of v) {
        if (!isObj(item)) continue;
        const io: Obj = { '.': {} };
        for (const [k, x] of Object.entries(item)) io[`f:${k}`] = fieldsOf(k, x, builtin);
        o[`k:${JSON.stringify({ [key]: item[key] })}`] = io;
      }
      return o;
    }
  }
  return {};
}

/** Structural equality of JSON values, ignoring key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b) || Array.isArray(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}
