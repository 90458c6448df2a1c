import { describe, expect, it } from 'vitest';
import {
  CatalogError,
  compatibilityVersionsFor,
  crdsHelmTemplated,
  evaluateCondition,
  gatewayApiFor,
  getRelease,
  isEol,
  kubernetesSupport,
  listMinors,
  newestKnown,
  notesForHop,
  resolveTarget,
  revisionTagTemplates,
  upgradePolicy,
  usesTagServices,
  validateCatalog as validateCatalogAsync,
} from '../../src/plans/catalog/index.js';
import { RELEASES } from '../../src/plans/catalog/releases.js';
import { NoteSchema, ReleaseSchema } from '../../src/plans/catalog/schema.js';
import { validateCatalog } from '../../src/plans/catalog/validate.js';

// The newest release, from the data: adding a release changes data and goldens, not these tests.
const NEWEST = RELEASES[RELEASES.length - 1]!;
const NEWEST_PATCH = NEWEST.latestPatch;
const NEWEST_MINOR = NEWEST.minor;
const NEXT_MINOR = `1.${Number(NEWEST.minor.split('.')[1]) + 1}`;
const UNPUBLISHED_PATCH = `${NEWEST.minor}.${Number(NEWEST_PATCH.split('.')[2]) + 1}`;

const note = (minor: string, id: string) => {
  const n = getRelease(minor)?.notes.find((x) => x.id === id);
  expect(n, `${id} in ${minor}`).toBeDefined();
  return n!;
};

function catalogError(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    expect((e as Error).message).not.toContain('\n');
    return e as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('catalog data', () => {
  it('validates against the schema', () => {
    const c = validateCatalog();
    expect(c.releases.map((r) => r.minor)).toEqual(listMinors());
    expect(c.newestKnown).toBe(NEWEST_PATCH);
  });

  it('validates lazily through the index API too', async () => {
    await expect(validateCatalogAsync()).resolves.toMatchObject({ newestKnown: NEWEST_PATCH });
  });

  it('covers 1.18 → the newest minor consecutively', () => {
    const count = Number(NEWEST.minor.split('.')[1]) - 18 + 1;
    expect(listMinors()).toEqual(Array.from({ length: count }, (_, i) => `1.${18 + i}`));
  });

  it('every note has a source and a one-line summary', () => {
    for (const r of RELEASES)
      for (const n of r.notes) {
        expect(n.source.length, n.id).toBeGreaterThan(10);
        expect(n.summary, n.id).not.toContain('\n');
      }
  });

  it('rejects malformed data', () => {
    expect(NoteSchema.safeParse({ id: 'bad id', kind: 'step', summary: 'x', source: 'somewhere' }).success).toBe(false);
    expect(NoteSchema.safeParse({ id: '1.24-x', kind: 'step', summary: 'x' }).success).toBe(false);
    expect(
      NoteSchema.safeParse({ id: '1.24-x', kind: 'step', summary: 'x', source: 'rn:x', appliesWhen: { bogus: 1 } }).success,
    ).toBe(false);
    const r = structuredClone(getRelease('1.24')!);
    r.latestPatch = '1.25.0';
    expect(ReleaseSchema.safeParse(r).success).toBe(false);
  });

  it('records real per-release facts', () => {
    const r124 = getRelease('1.24.3')!;
    expect(r124.latestPatch).toBe('1.24.6');
    expect(r124.kubernetes).toEqual({ min: '1.28', max: '1.31' });
    expect(r124.istioctlMinKubernetes).toBe('1.28');
    expect(r124.inClusterOperatorSupported).toBe(false);
    expect(getRelease('1.23')!.inClusterOperatorSupported).toBe(true);
    expect(getRelease('1.23')!.charts.istioOperator).toBe('istio-operator');
    expect(r124.charts.istiodRemote).toBeUndefined();
    expect(getRelease('1.31')!.latestPatch).toBe('1.31.1');
    expect(getRelease('1.29')).toMatchObject({ latestPatch: '1.29.9', eol: '2026-10-15' });
    expect(getRelease('1.29')!.securityFixes?.map((x) => x.advisory)).toContain('ISTIO-SECURITY-2026-007');
    expect(getRelease('1.30')!.eol).toBeUndefined();
    expect(getRelease('1.30')!.provenance.eol?.unconfirmed).toBe(true);
    expect(getRelease('1.17')).toBeUndefined();
    expect(newestKnown()).toBe(NEWEST_PATCH);
  });

  it('carries compatibility profiles for each accepted version', () => {
    const r = getRelease('1.24')!;
    expect(Object.keys(r.compatibilityProfiles).sort()).toEqual(['1.21', '1.22', '1.23']);
    expect(r.compatibilityProfiles['1.23']!.flags).toMatchObject({
      'pilot.env.ENABLE_INBOUND_RETRY_POLICY': 'false',
      'meshConfig.defaultConfig.proxyMetadata.BYPASS_OVERLOAD_MANAGER_FOR_STATIC_LISTENERS': 'false',
    });
    expect(getRelease('1.31')!.compatibilityProfiles['1.30']!.flags['pilot.env.PILOT_ENABLE_STRICT_GATEWAY_MERGING']).toBe('false');
  });

  it('has a policy with the documented jumps', () => {
    const p = upgradePolicy();
    expect(p.canaryMaxMinorJump.value).toBe(2);
    expect(p.inPlaceMaxMinorJump.value).toBe(1);
    expect(p.ambientMaxMinorJump.value).toBe(1);
    expect(p.artifactHosting.retiredRegistries).toContain('gcr.io/istio-release');
    expect(p.ambient.order.indexOf('cni-upgrade')).toBeLessThan(p.ambient.order.indexOf('ztunnel-upgrade'));
    expect(p.supportWindow).toMatchObject({ minorsAfter: 2, weeksAfter: 6 });
  });
});

describe('1.24 notes', () => {
  it('has the CRD-ownership migration step', () => {
    const n = note('1.24', '1.24-crd-helm-ownership');
    expect(n.kind).toBe('step');
    expect(n.appliesWhen).toEqual({ installMethod: 'helm', crdsHelmOwned: false });
    expect(n.effect?.stepKind).toBe('crd-migration-labels');
    expect(n.effect?.placement).toEqual({ before: 'crds-upgrade' });
    expect(n.effect?.commands?.[0]).toContain('app.kubernetes.io/managed-by=Helm');
    expect(n.unconfirmed).toBeUndefined();
  });

  it('blocks in-cluster operator installs', () => {
    const n = note('1.24', '1.24-operator-removed');
    expect(n.kind).toBe('precondition');
    expect(n.effect?.blocker).toBe(true);
    expect(evaluateCondition(n.appliesWhen, { installMethod: 'operator' })).toBe('yes');
    expect(evaluateCondition(n.appliesWhen, { installMethod: 'helm', components: { 'istio-operator': false } })).toBe('no');
  });

  it('orders CNI → restart → ztunnel when ambient DNS capture is on', () => {
    const n = note('1.24', '1.24-ambient-dns-order');
    expect(n.kind).toBe('order');
    expect(n.effect?.order).toEqual(['cni-upgrade', 'workload-restart', 'ztunnel-upgrade']);
    const c = n.appliesWhen;
    expect(evaluateCondition(c, { modes: ['ambient'], helmValues: { cni: { ambient: { dnsCapture: true } } } })).toBe('yes');
    expect(evaluateCondition(c, { modes: ['ambient'], helmValues: { 'cni.ambient.dnsCapture': false } })).toBe('no');
    expect(evaluateCondition(c, { modes: ['sidecar'] })).toBe('no');
    expect(evaluateCondition(c, { modes: ['ambient'] })).toBe('unknown');
  });

  it('has the istio-csr ALPN precondition', () => {
    const n = note('1.24', '1.24-istio-csr');
    expect(n.effect?.setHelmValues?.[0]).toMatchObject({
      path: 'meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED',
      value: 'false',
      charts: ['istiod'],
    });
    expect(evaluateCondition(n.appliesWhen, { components: { 'istio-csr': 'v0.12.0' } })).toBe('yes');
    expect(evaluateCondition(n.appliesWhen, { components: { 'istio-csr': '0.13.0' } })).toBe('no');
    expect(evaluateCondition(n.appliesWhen, { components: { 'istio-csr': true } })).toBe('unknown');
  });
});

describe('resolveTarget', () => {
  const strict = { allowUnknown: false };
  const lax = { allowUnknown: true };

  it('resolves a minor to its newest known patch', () => {
    expect(resolveTarget('1.24', strict)).toEqual({ version: '1.24.6', minor: '1.24', known: true });
    expect(resolveTarget('1.29', strict)).toEqual({ version: '1.29.9', minor: '1.29', known: true });
  });

  it('accepts exact and v-prefixed versions and latest', () => {
    expect(resolveTarget('1.24.2', strict)).toEqual({ version: '1.24.2', minor: '1.24', known: true });
    expect(resolveTarget('v1.24.2', strict)).toEqual({ version: '1.24.2', minor: '1.24', known: true });
    expect(resolveTarget(' latest ', strict)).toEqual({ version: NEWEST_PATCH, minor: NEWEST.minor, known: true });
  });

  it('rejects unknown patches of known minors unless allowed', () => {
    expect(catalogError(() => resolveTarget('1.24.99', strict)).code).toBe('unknown-patch');
    const r = resolveTarget('1.24.99', lax);
    expect(r).toMatchObject({ version: '1.24.99', minor: '1.24', known: false });
    expect(r.warning).toContain('1.24.6');
    expect(catalogError(() => resolveTarget(UNPUBLISHED_PATCH, strict)).message).toContain(NEWEST_PATCH);
  });

  it('rejects minors newer than the catalog unless allowed, then warns loudly', () => {
    const e = catalogError(() => resolveTarget(NEXT_MINOR, strict));
    expect(e.code).toBe('unknown-minor');
    expect(e.message).toContain(NEWEST_PATCH);
    const r = resolveTarget(NEXT_MINOR, lax);
    expect(r).toMatchObject({ version: `${NEXT_MINOR}.0`, minor: NEXT_MINOR, known: false });
    expect(r.warning).toContain(`no ${NEXT_MINOR} upgrade notes are known`);
    expect(r.warning).toContain(`planned by the general rules with ${NEWEST_MINOR}'s chart names, tag templates, Kubernetes range and policy`);
    expect(resolveTarget(`v${NEXT_MINOR}.3`, lax).version).toBe(`${NEXT_MINOR}.3`);
  });

  it('rejects minors older than the catalog', () => {
    expect(catalogError(() => resolveTarget('1.17.8', strict)).code).toBe('unknown-minor');
  });

  it('rejects garbage', () => {
    for (const bad of ['', 'foo', '1', '1.24.x', '2.0.0', '1.24.1-rc.0', 'v', '1..2'])
      expect(catalogError(() => resolveTarget(bad, lax)).code, bad).toBe('invalid-version');
  });
});

describe('notesForHop', () => {
  it('includes notes of every minor crossed (from exclusive, to inclusive), in order, tagged', () => {
    const notes = notesForHop('1.22.5', '1.24.6');
    const minors = [...new Set(notes.map((n) => n.minor))];
    expect(minors).toEqual(['1.23', '1.24']);
    const ids = notes.map((n) => n.id);
    expect(ids).toContain('1.23-stat-names');
    expect(ids).toContain('1.24-crd-helm-ownership');
    expect(ids).toContain('1.24-operator-removed');
    expect(ids).toContain('1.24-ambient-dns-order');
    expect(ids.some((id) => id.startsWith('1.22-'))).toBe(false);
    expect(ids.indexOf('1.23-stat-names')).toBeLessThan(ids.indexOf('1.24-crds-v1'));
    expect(notesForHop('1.22.5', '1.24')).toEqual(notes);
  });

  it('handles patch-introduced notes', () => {
    expect(notesForHop('1.27.3', '1.27.9').map((n) => n.id)).toEqual(['1.27.6-debug-auth', '1.27.8-xds-debug-auth']);
    expect(notesForHop('1.27.3', '1.27.5')).toEqual([]);
    // already in 1.28.4, so not new when moving to 1.29
    expect(notesForHop('1.28.4', '1.29.1').map((n) => n.id)).not.toContain('1.27.6-debug-auth');
    // duplicates collapse onto the original note
    const ids = notesForHop('1.28.3', '1.29.8').map((n) => n.id);
    expect(ids).toContain('1.27.6-debug-auth');
    expect(ids).not.toContain('1.29-debug-auth');
  });

  it('returns nothing for same-version or downgrade hops', () => {
    expect(notesForHop('1.24.6', '1.24.6')).toEqual([]);
    expect(notesForHop('1.25.0', '1.24.6')).toEqual([]);
  });

  it('tolerates targets newer than the catalog', () => {
    const ids = notesForHop('1.30.5', `${NEXT_MINOR}.0`).map((n) => n.id);
    expect(ids).toContain('1.31-tcproute-min');
  });
});

describe('kubernetesSupport', () => {
  it('reports edges of the supported range', () => {
    expect(kubernetesSupport('1.24.6', '1.28')).toEqual({ supported: true, belowMin: false, aboveMax: false, range: { min: '1.28', max: '1.31' } });
    expect(kubernetesSupport('1.24', 'v1.31.4')).toMatchObject({ supported: true, belowMin: false, aboveMax: false });
    expect(kubernetesSupport('1.24', '1.27.9')).toMatchObject({ supported: false, belowMin: true, aboveMax: false });
    expect(kubernetesSupport('1.24', 'v1.32.1-eks-abc')).toMatchObject({ supported: false, belowMin: false, aboveMax: true });
  });

  it('uses the verified ranges of 1.28 – 1.31', () => {
    expect(kubernetesSupport('1.28', '1.34').supported).toBe(true);
    expect(kubernetesSupport('1.28', '1.35').aboveMax).toBe(true);
    expect(kubernetesSupport('1.29', '1.30').belowMin).toBe(true);
    expect(kubernetesSupport('1.30', '1.36').supported).toBe(true);
    expect(kubernetesSupport('1.31.1', '1.31').belowMin).toBe(true);
  });

  it('throws for minors older than the catalog and bad Kubernetes versions', () => {
    expect(catalogError(() => kubernetesSupport('1.17', '1.33')).code).toBe('unknown-minor');
    expect(catalogError(() => kubernetesSupport('1.24', 'latest')).code).toBe('invalid-version');
  });
});

describe('a minor newer than the catalog (--allow-unknown-version)', () => {
  it('follows the newest known release: its Kubernetes range and compatibility versions, no Gateway API bundle', () => {
    expect(kubernetesSupport(NEXT_MINOR, '1.33').range).toEqual(kubernetesSupport(NEWEST_MINOR, '1.33').range);
    expect(compatibilityVersionsFor(NEXT_MINOR)).toEqual(compatibilityVersionsFor(NEWEST_MINOR));
    expect(gatewayApiFor(`${NEXT_MINOR}.0`)).toBeUndefined();
  });
});

describe('chart layout and compatibility', () => {
  it('switches revision-tag templates and tag Services at 1.28', () => {
    expect(revisionTagTemplates('1.27.9')).toEqual(['templates/revision-tags.yaml']);
    expect(revisionTagTemplates('1.28.0')).toEqual(['templates/revision-tags-mwc.yaml', 'templates/revision-tags-svc.yaml']);
    expect(usesTagServices('1.27')).toBe(false);
    expect(usesTagServices('1.28.1')).toBe(true);
    expect(revisionTagTemplates(`${NEXT_MINOR}.0`)).toEqual(revisionTagTemplates('1.31'));
  });

  it('templates CRDs from 1.24', () => {
    expect(crdsHelmTemplated('1.23.6')).toBe(false);
    expect(crdsHelmTemplated('1.24.0')).toBe(true);
  });

  it('lists accepted compatibilityVersion values', () => {
    expect(compatibilityVersionsFor('1.20')).toEqual([]);
    expect(compatibilityVersionsFor('1.24')).toEqual(['1.21', '1.22', '1.23']);
    expect(compatibilityVersionsFor('1.28')).toEqual(['1.25', '1.26', '1.27']);
    expect(compatibilityVersionsFor('1.31')).toEqual(['1.25', '1.26', '1.27', '1.28', '1.29', '1.30']);
  });

  it('narrows Gateway API bounds by patch', () => {
    const tls = (v: string) => gatewayApiFor(v)!.crdBounds.filter((b) => b.crd.startsWith('tlsroutes'));
    expect(tls('1.28.5')).toEqual([]);
    expect(tls('1.28.6')[0]?.max).toBe('1.4.0');
    expect(tls('1.28.10')[0]?.max).toBe('1.4.1');
    expect(tls('1.30')[0]?.min).toBe('1.5.0');
    expect(gatewayApiFor('1.31')!.crdBounds.map((b) => b.crd)).toContain('tcproutes.gateway.networking.k8s.io');
  });
});

describe('isEol', () => {
  it('uses published EOL dates', () => {
    expect(isEol('1.24', '2025-06-18')).toBe(false);
    expect(isEol('1.24', '2025-06-19')).toBe(true);
    expect(isEol('1.29', new Date('2026-10-14T00:00:00Z'))).toBe(false);
    expect(isEol('1.29', new Date('2026-10-15T00:00:00Z'))).toBe(true);
    expect(isEol('1.17', '2020-01-01')).toBe(true);
  });

  it('does not guess EOL without a date or an N+2 release', () => {
    expect(isEol('1.30', '2030-01-01')).toBe(false);
    expect(isEol('1.31', '2030-01-01')).toBe(false);
  });
});

describe('evaluateCondition', () => {
  it('uses three-valued logic', () => {
    expect(evaluateCondition(undefined, {})).toBe('yes');
    expect(evaluateCondition({ anyOf: [{ mode: 'ambient' }, { installMethod: 'helm' }] }, { installMethod: 'helm' })).toBe('yes');
    expect(evaluateCondition({ not: { crdsHelmOwned: true } }, { crdsHelmOwned: false })).toBe('yes');
    expect(evaluateCondition({ kubernetesAtLeast: '1.33' }, { kubernetesVersion: 'v1.32.9' })).toBe('no');
    expect(evaluateCondition({ feature: 'telemetry-cel' }, {})).toBe('unknown');
    expect(
      evaluateCondition({ resourceExists: { kind: 'TLSRoute', group: 'gateway.networking.k8s.io' } }, { resources: [{ kind: 'TLSRoute' }] }),
    ).toBe('yes');
  });
});
