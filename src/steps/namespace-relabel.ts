import { apiCommand } from '../plan/commands.js';
import { factKey } from '../plan/facts.js';
import type { StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';
import { restartNamespaces } from './workload-restart.js';

export interface NamespaceRelabelParams {
  namespaces: string[];
  /** Labels to set; null removes the label. */
  labels: Record<string, string | null>;
  previous: Record<string, string | null>;
  reason: string;
  qualifier: string;
}

/** Namespaces pinned to the old revision by name (not by tag) do not follow tag moves. */
export function namespaceRelabelStep(p: NamespaceRelabelParams): BuiltStep {
  const [label, value] = Object.entries(p.labels).find(([, v]) => v !== null) ?? ['istio.io/rev', null];
  return {
    kind: 'namespace-relabel',
    qualifier: p.qualifier,
    title: `Relabel ${p.namespaces.length === 1 ? '1 namespace' : `${p.namespaces.length} namespaces`}: ${relabelling(p.labels)}`,
    why: [{ text: p.reason }],
    commands: [apiCommand({ type: 'label-namespaces', namespaces: p.namespaces, labels: p.labels }, `label ${p.namespaces.join(', ')}`)],
    verify: [{ type: 'namespaces-labelled', namespaces: p.namespaces, label, value }],
    rollback: { commands: [apiCommand({ type: 'label-namespaces', namespaces: p.namespaces, labels: p.previous }, `restore the labels of ${p.namespaces.join(', ')}`)] },
    irreversible: false,
    disruption: 'none until pods restart: new pods in these namespaces get the new proxy',
  };
}

/**
 * Canary: namespaces pinned to the old revision by name, and istio-injection=enabled namespaces
 * served by a revision-less istiod with no default tag, move to the new revision (then restart).
 */
export const namespaceRelabel: StepDescriptor = {
  kind: 'namespace-relabel',
  phase: 80,
  plan(ctx) {
    const { state, hop } = ctx;
    const from = state.revision;
    if (ctx.req.strategy !== 'canary' || from === hop.revision) return;
    const pinned = [...state.namespaceRevLabels].filter(([, v]) => v === from).map(([n]) => n).sort();
    if (pinned.length) {
      ctx.add(
        namespaceRelabelStep({ namespaces: pinned, labels: { 'istio.io/rev': hop.revision }, previous: { 'istio.io/rev': from }, reason: `labelled istio.io/rev=${from} directly, so no tag move reaches them`, qualifier: `rev-${from}` }),
        pinned.map(factKey.namespaceRevisionLabel),
      );
      pinned.forEach((n) => state.namespaceRevLabels.set(n, hop.revision));
      restartNamespaces(ctx, pinned, `ns-rev-${from}`, `in namespaces relabelled from ${from}`);
    }
    if (from !== 'default' || state.tags.has('default')) return;
    const injected = [...state.namespaceInjection].filter(([, v]) => v === 'enabled').map(([n]) => n).sort();
    if (!injected.length) return;
    ctx.add(
      namespaceRelabelStep({
        namespaces: injected,
        labels: { 'istio-injection': null, 'istio.io/rev': hop.revision },
        previous: { 'istio-injection': 'enabled', 'istio.io/rev': null },
        reason: 'served by the revision-less istiod through istio-injection=enabled; without a default tag they must name the new revision',
        qualifier: 'injection-enabled',
      }),
      injected.map(factKey.namespaceRevisionLabel),
    );
    injected.forEach((n) => {
      state.namespaceInjection.set(n, null);
      state.namespaceRevLabels.set(n, hop.revision);
    });
    restartNamespaces(ctx, injected, 'ns-injection-enabled', 'in namespaces moved off istio-injection=enabled');
    // The relabel moves today's namespaces; the convention itself stays with the revision-less injector (istioctl
    // installs move it: their default-revision-move runs `istioctl tag set default`). A multi-hop plan removes the
    // revisions it passes through, so the advice names the revision the plan ends on, not this hop's.
    if (ctx.method !== 'istioctl') {
      const finalRevision = ctx.finalRevision;
      ctx.f.warning(
        'injection-enabled-stays-on-old-injector',
        `istio-injection=enabled (and sidecar.istio.io/inject=true in unlabelled namespaces) is still served by the revision-less istiod: namespaces labelled that way after this plan get its old proxy, and none once it is removed; label them istio.io/rev=${finalRevision}, or make ${finalRevision} the default injector`,
        { remedy: [`istioctl tag set default --revision ${finalRevision}   # also turns off the revision-less injector's default selectors`] },
      );
    }
  },
  touches: (step) => ({ keys: step.commands.flatMap((c) => (c.api?.type === 'label-namespaces' ? c.api.namespaces.map(factKey.namespaceRevisionLabel) : [])), groups: [] }),
};

/** `set istio.io/rev=1-24-6, remove istio-injection` rather than kubectl's `-istio-injection` shorthand. */
function relabelling(labels: Record<string, string | null>): string {
  const set = Object.entries(labels).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`);
  const removed = Object.entries(labels).filter(([, v]) => v === null).map(([k]) => k);
  return [set.length ? `set ${set.join(', ')}` : '', removed.length ? `remove ${removed.join(', ')}` : ''].filter(Boolean).join(', ');
}
