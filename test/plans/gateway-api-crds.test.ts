import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import type { Hop } from '../../src/plan/schema.js';
import { gatewayApiDecision } from '../../src/plans/planner/gateway-api-crds.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { gatewayApiCrdsStep } from '../../src/steps/gateway-api-crds-upgrade.js';
import { inventoryOf, PLAN_CASES, requestFor } from '../support/plan-cases.js';

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
    expect(d.upgrade).toMatchObject({ hop: 2, from: '1.4.1', channel: 'experimental', needs: [{ crd: `tlsroutes.${GROUP}`, min: '1.5.0' }, { crd: `referencegrants.${GROUP}`, min: '1.5.0' }] });
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
    // 1.30 bounds TLSRoute and ReferenceGrant; a cluster with neither CRD has nothing to upgrade.
    expect(gatewayApiDecision(gw('v1.4.1', 'standard', ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes']), hops('1.29.9', '1.30.5'), false)).toEqual({ kind: 'none' });
    expect(gatewayApiDecision({ present: false, bundleVersion: null, channel: null, crds: [] }, hops('1.29.9', '1.30.5'), false)).toEqual({ kind: 'none' });
  });

  it('--skip-gateway-api-crds keeps the decision, as skipped, so the plan can name what the platform team must install', () => {
    const d = gatewayApiDecision(gw('v1.4.1', 'experimental', [...STANDARD, 'tlsroutes']), hops('1.29.9', '1.30.5'), true);
    expect(d.kind).toBe('skipped');
    expect(d.kind === 'skipped' && d.upgrade.to).toBe('1.5.1');
  });
});

describe('the Gateway API CRD step in a plan (issue 9)', () => {
  /** The ambient 1.23 fixture with its Gateway API CRDs taken back to v1.0.0: istiod 1.24 ignores grpcroutes below v1.1.0. */
  async function olderBundle(): Promise<Inventory> {
    const inv = await inventoryOf('ambient-helm-1.23');
    return { ...inv, crds: { ...inv.crds, gatewayApi: { ...inv.crds.gatewayApi, bundleVersion: 'v1.0.0' } } };
  }
  const c = PLAN_CASES.find((x) => x.name === 'ambient-1.23-to-1.24')!;

  it('is planned right before the istiod that needs it, applies the release manifest, verifies the bundle and re-applies the old one to undo', async () => {
    const plan = planUpgrade(await olderBundle(), { ...requestFor(c), gatewayApiReleases: 'http://127.0.0.1:8080/releases' });
    expect(plan.blockers).toEqual([]);
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf('h1-gateway-api-crds-upgrade')).toBe(ids.findIndex((id) => id.startsWith('h1-istiod-install')) - 1);
    expect(ids.indexOf('h1-gateway-api-crds-upgrade')).toBeGreaterThan(0);
    const step = plan.steps.find((s) => s.kind === 'gateway-api-crds-upgrade')!;
    expect(step.commands.map((x) => x.argv.join(' '))).toEqual(['kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f http://127.0.0.1:8080/releases/v1.2.1/standard-install.yaml']);
    expect(step.verify).toEqual([{ type: 'gateway-api-bundle', version: '1.2.1', crds: [`grpcroutes.${GROUP}`] }]);
    // Below v1.5 on both sides: no downgrade guard to remove first.
    expect(step.rollback!.commands.map((x) => x.argv.join(' '))).toEqual(['kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f http://127.0.0.1:8080/releases/v1.0.0/standard-install.yaml']);
    expect(plan.warnings.map((w) => w.id)).not.toContain('gateway-api-crds-skipped');
  });

  it('crossing v1.5, the rollback first deletes the downgrade guard the new bundle added', () => {
    const d = gatewayApiDecision(gw('v1.4.1', 'experimental', [...STANDARD, 'tlsroutes']), hops('1.29.9', '1.30.5'), false);
    if (d.kind !== 'upgrade') throw new Error('expected an upgrade');
    const step = gatewayApiCrdsStep(d.upgrade, undefined);
    expect(step.rollback!.commands.map((x) => x.argv.slice(0, 4).join(' '))).toEqual(['kubectl delete validatingadmissionpolicy safe-upgrades.gateway.networking.k8s.io', 'kubectl apply --server-side --force-conflicts']);
    expect(step.rollback!.commands[1]!.argv.at(-1)).toBe('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.1/experimental-install.yaml');
  });

  it('--skip-gateway-api-crds: no step, no blocker, a warning naming the bundle and the manifest', async () => {
    const plan = planUpgrade(await olderBundle(), { ...requestFor(c), skipGatewayApiCrds: true });
    expect(plan.steps.some((s) => s.kind === 'gateway-api-crds-upgrade')).toBe(false);
    expect(plan.blockers).toEqual([]);
    const w = plan.warnings.find((x) => x.id === 'gateway-api-crds-skipped')!;
    expect(w.message).toContain('from v1.0.0 to v1.2.1 (standard channel');
    expect(w.remedy).toEqual(['kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml']);
  });

  it('1.29 → 1.30 needs v1.5 for ReferenceGrant too (istio.io 1.30 upgrade notes), standard channel kept', () => {
    const d = gatewayApiDecision(gw('v1.4.1', 'standard', STANDARD), hops('1.29.9', '1.30.5'), false);
    expect(d.kind === 'upgrade' && d.upgrade).toMatchObject({ to: '1.5.1', channel: 'standard', needs: [{ crd: `referencegrants.${GROUP}`, min: '1.5.0' }] });
  });
});
