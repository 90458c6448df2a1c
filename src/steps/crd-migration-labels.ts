import { apiCommand } from '../plan/commands.js';
import { factKey } from '../plan/facts.js';
import type { StepDescriptor } from './descriptor.js';
import { baseReleaseFor } from './hop-context.js';
import type { BuiltStep } from './types.js';

export interface CrdMigrationParams {
  crds: string[];
  baseRelease: string;
  baseNamespace: string;
  source?: string;
}


/** One-time adoption of the CRDs by the base release found in the cluster (never a hard-coded istio-base). */
export function crdMigrationLabelsStep(p: CrdMigrationParams): BuiltStep {
  const labels = { 'app.kubernetes.io/managed-by': 'Helm' };
  const annotations = { 'meta.helm.sh/release-name': p.baseRelease, 'meta.helm.sh/release-namespace': p.baseNamespace };
  return {
    kind: 'crd-migration-labels',
    title: `Let Helm release ${p.baseNamespace}/${p.baseRelease} adopt ${p.crds.length} Istio CRD(s)`,
    why: [
      {
        text: 'From 1.24 the base chart renders the CRDs as templates; CRDs installed from the old crds/ directory lack Helm ownership marks and `helm upgrade` would fail with "invalid ownership metadata".',
        source: p.source,
      },
    ],
    commands: [
      apiCommand({ type: 'label-crds', crds: p.crds, labels, annotations }, 'add the Helm managed-by label and release annotations to the CRDs that lack them'),
    ],
    verify: [{ type: 'crds-helm-owned', release: p.baseRelease, namespace: p.baseNamespace }],
    rollback: {
      commands: [
        apiCommand({ type: 'unlabel-crds', crds: p.crds, labels: Object.keys(labels), annotations: Object.keys(annotations) }, 'remove exactly the label and annotations this step added'),
      ],
    },
    irreversible: false,
    disruption: 'none: metadata only',
  };
}

export const crdMigrationLabels: StepDescriptor = {
  kind: 'crd-migration-labels',
  phase: 30,
  requestedByNotes: true,
  plan(ctx) {
    const { inv, notes, state, f } = ctx;
    if (!notes.needsCrdMigration || state.crdsHelmOwned || ctx.method !== 'helm') return;
    const base = baseReleaseFor(ctx);
    const unowned = inv.crds.istio.filter((c) => !c.helmOwned).map((c) => c.name);
    if (!base) {
      f.blocker('crd-owner-unknown', 'Istio CRDs are not Helm-owned and no base chart release was found to adopt them; install or identify the base release first');
    } else if (unowned.length) {
      ctx.add(crdMigrationLabelsStep({ crds: unowned, baseRelease: base.name, baseNamespace: base.namespace, source: notes.needsCrdMigration.source }), [factKey.crdsHelmOwned]);
    }
    state.crdsHelmOwned = true;
  },
  touches: () => ({ keys: [factKey.crdsHelmOwned], groups: [] }),
};
