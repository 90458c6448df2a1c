import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import type { Hop } from '../../src/plan/schema.js';
import { gatewayApiDecision } from '../../src/plans/planner/gateway-api-crds.js';

const GROUP = 'gateway.networking.k8s.io';
const crds = (...kinds: string[]) => kinds.map((k) => ({ name: `${k}.${GROUP}`, servedVersions: ['v1'] }));
const STANDARD = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', 'grpcroutes'];
const gw = (bundle: string, channel: string, kinds: string[]): Inventory['crds']['gatewayApi'] => ({ present: true, bundleVersion: bundle, channel, crds: crds(...kinds) });
const hops = (...versions: string[]): Hop[] =>
  versions.slice(1).map((to, i) => ({ index: i + 1, from: versions[i]!, to, fromRevision: versions[i]!.replace(/\./g, '-'), revision: to.replace(/\./g, '-'), compatibilityVersion: null, compatibilityReason: null }));

describe('Gateway API CRDs a hop needs (issue 9: Gateway API CRDs as a step)', () => {
  it('tlsroutes ≥ 1.5.0 for 1.30: upgraded in the 1.30 hop, not in the 1.29 hop whose istiod ignores TLSRoute newer than 1.4.1', () => {
    const d = gatewayApiDecision(gw('v1.4.1', 'experimental', [...STANDARD, 'tlsroutes']), hops('1.28.6', '1.29.9', '1.30.5'), false);
    expect(d.kind).toBe('upgrade');
    if (d.kind !== 'upgrade') return;
    expect(d.upgrade).toMatchObject({ hop: 2, from: '1.4.1', channel: 'experimental', needs: [{ crd: `tlsroutes.${GROUP}`, min: '1.5.0' }] });
    expect(d.upgrade.to).toBe('1.5.1');
    expect(d.upgrade.manifest).toBe('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml');
    expect(d.upgrade.rollbackManifest).toBe('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.1/experimental-install.yaml');
    expect(d.upgrade.previousIgnores).toEqual([`tlsroutes.${GROUP} (accepts up to 1.4.1)`]);
  });

  it('tcproutes ≥ 1.6.0 for 1.31', () => {
    const d = gatewayApiDecision(gw('v1.5.1', 'experimental', [...STANDARD, 'tlsroutes', 'tcproutes']), hops('1.30.5', '1.31.1'), false);
    expect(d.kind === 'upgrade' && d.upgrade.needs).toEqual([{ crd: `tcproutes.${GROUP}`, min: '1.6.0' }]);
    expect(d.kind === 'upgrade' && d.upgrade.to).toBe('1.6.0');
  });

  it('grpcroutes ≥ 1.1.0 from 1.22', () => {
    const d = gatewayApiDecision(gw('v1.0.0', 'standard', STANDARD), hops('1.21.6', '1.22.8'), false);
    expect(d.kind === 'upgrade' && d.upgrade).toMatchObject({ hop: 1, from: '1.0.0', to: '1.1.0', channel: 'standard', needs: [{ crd: `grpcroutes.${GROUP}`, min: '1.1.0' }] });
  });

  it('nothing when the CRDs are new enough, absent, or the kind is not installed', () => {
    expect(gatewayApiDecision(gw('v1.2.1', 'standard', STANDARD), hops('1.23.6', '1.24.6'), false)).toEqual({ kind: 'none' });
    // 1.30 bounds TLSRoute, but the cluster has no TLSRoute CRD (standard channel): nothing to upgrade.
    expect(gatewayApiDecision(gw('v1.4.1', 'standard', STANDARD), hops('1.29.9', '1.30.5'), false)).toEqual({ kind: 'none' });
    expect(gatewayApiDecision({ present: false, bundleVersion: null, channel: null, crds: [] }, hops('1.29.9', '1.30.5'), false)).toEqual({ kind: 'none' });
  });

  it('--skip-gateway-api-crds keeps the decision, as skipped, so the plan can name what the platform team must install', () => {
    const d = gatewayApiDecision(gw('v1.4.1', 'experimental', [...STANDARD, 'tlsroutes']), hops('1.29.9', '1.30.5'), true);
    expect(d.kind).toBe('skipped');
    expect(d.kind === 'skipped' && d.upgrade.to).toBe('1.5.1');
  });
});
