import { helmRollback, helmUpgrade, releaseDeployed, valueSettings, type ChartSetting } from './commands.js';
import type { ChartSource } from '../plan/operations.js';
import { factKey, helmReleaseFacts, type FactSet } from '../plan/facts.js';
import type { PlanStep } from '../plan/schema.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { restartAmbientWorkloads } from './workload-restart.js';
import { changesRelease, alreadyAtTarget, chartSettings, helmReleaseOf, type HopContext } from './hop-context.js';
import type { BuiltStep } from './types.js';
import { needsClientSideApply } from '../plans/helm-apply-method.js';

export interface NodeAgentParams {
  /** Helm 4 applies it client-side (src/plans/helm-apply-method.ts). */
  clientSideApply?: boolean;
  component: 'cni' | 'ztunnel';
  release: string;
  namespace: string;
  daemonSet: string;
  charts: ChartSource;
  version: string;
  revision: string | null;
  ambient: boolean;
  /** Values the hop sets on this chart: its compatibilityVersion and workarounds from upgrade notes. */
  settings?: ChartSetting[];
  source?: string;
}

const CHART = { cni: 'cni', ztunnel: 'ztunnel' } as const;

/** istio-cni and ztunnel cannot be canaried: upgraded in place, after istiod, within one minor of it. */
export function nodeAgentUpgradeStep(p: NodeAgentParams): BuiltStep {
  const sets: ChartSetting[] = [
    ...(p.ambient && p.component === 'cni' ? [{ path: 'profile', value: 'ambient' }] : []),
    ...(p.component === 'ztunnel' && p.revision ? [{ path: 'revision', value: p.revision }] : []),
    ...(p.settings ?? []),
  ];
  return {
    kind: p.component === 'cni' ? 'cni-upgrade' : 'ztunnel-upgrade',
    title: `Upgrade ${p.component === 'cni' ? 'istio-cni' : 'ztunnel'} ${p.namespace}/${p.release} to ${p.version}`,
    why: [
      {
        text: 'Istio does not support canary upgrades of istio-cni or ztunnel; at 1.x they work with a control plane at 1.x or 1.x+1, so the control plane goes first.',
        source: p.source ?? 'istio.io docs/ambient/upgrade/helm',
      },
    ],
    commands: [helmUpgrade(p, CHART[p.component], p.charts, p.version, valueSettings(sets))],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'daemonset-rollout', name: p.daemonSet, namespace: p.namespace, version: p.version },
    ],
    rollback: { commands: [helmRollback(p)] },
    irreversible: false,
    disruption:
      p.component === 'ztunnel'
        ? 'ztunnel restarts node by node: long-lived TCP connections of ambient pods on each node are reset as its ztunnel restarts'
        : 'istio-cni-node restarts node by node; pods scheduled on a node while its agent restarts wait for it (running pods are not affected)',
  };
}

/** Plans the upgrade of a Helm-managed node agent, or warns that it must be upgraded by hand. */
export function planNodeAgentUpgrade(ctx: HopContext, component: NodeAgentParams['component']): void {
  const { inv, hop, method } = ctx;
  const agent = component === 'cni' ? inv.ambient.cni : inv.ambient.ztunnel;
  if (!agent || method !== 'helm') return;
  const rel = helmReleaseOf(inv, agent.helmRelease);
  const name = component === 'cni' ? 'istio-cni' : 'ztunnel';
  if (!rel) {
    ctx.f.warning(`${component}-not-helm`, `${name} ${agent.namespace}/${agent.name} is not managed by a Helm release; upgrade it by hand after ${component === 'cni' ? 'istiod' : 'istio-cni'}`);
    return;
  }
  // Finished by an earlier run.
  if (alreadyAtTarget(ctx, rel) && agent.version === hop.to) return;
  ctx.add(
    nodeAgentUpgradeStep({
      component,
      release: rel.name,
      namespace: rel.namespace,
      daemonSet: agent.name,
      charts: ctx.charts,
      version: hop.to,
      revision: component === 'ztunnel' ? (ctx.req.strategy === 'canary' ? hop.revision : inv.ambient.ztunnel!.revision) : null,
      ambient: component === 'ztunnel' || inv.ambient.cni!.ambientEnabled,
      settings: chartSettings(ctx, component, rel),
      clientSideApply: needsClientSideApply(rel, hop.to),
    }),
    [factKey.helmRevision(rel.namespace, rel.name), component === 'cni' ? factKey.cniVersion : factKey.ztunnelVersion],
  );
  changesRelease(ctx, rel);
}

/** A node agent upgrade changes its release and the agent's version. */
export function nodeAgentTouches(component: NodeAgentParams['component']): (step: PlanStep) => FactSet {
  const version = component === 'cni' ? factKey.cniVersion : factKey.ztunnelVersion;
  return (step) => ({ keys: [version, ...verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release))], groups: [] });
}

/** A node agent's upgrade restarts the ambient pods after it when `restart` finds the catalog note asking for it. */
export interface NodeAgentRestart {
  note: (ctx: HopContext) => { source: string } | undefined;
  qualifier: string;
  reason: string;
}

/** The descriptor of a node agent's upgrade (istio-cni, ztunnel): the upgrade, then the ambient restart its note asks for. */
export function nodeAgentDescriptor(kind: StepDescriptor['kind'], phase: number, component: NodeAgentParams['component'], restart: NodeAgentRestart): StepDescriptor {
  return {
    kind,
    phase,
    plan(ctx) {
      planNodeAgentUpgrade(ctx, component);
      const note = restart.note(ctx);
      if (note && ctx.inv.mode === 'ambient') restartAmbientWorkloads(ctx, restart.qualifier, restart.reason, note.source);
    },
    touches: nodeAgentTouches(component),
  };
}
