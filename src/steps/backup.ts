import { apiCommand } from '../plan/commands.js';
import { NO_FACTS, type StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';

export interface BackupParams {
  directory: string;
  istioNamespace: string;
  helmReleases: { release: string; namespace: string }[];
}

export function backupStep(p: BackupParams): BuiltStep {
  return {
    kind: 'backup',
    title: `Back up Istio resources, CRDs, webhooks and Helm values to ${p.directory}`,
    why: [{ text: 'A local copy of everything the upgrade may change, taken before the first change.' }],
    commands: [
      apiCommand(
        { type: 'export-backup', directory: p.directory, istioNamespace: p.istioNamespace, helmReleases: p.helmReleases },
        `export Istio CRDs and their custom resources, webhooks, and helm get values of ${p.helmReleases.map((r) => r.release).join(', ') || 'no release'}`,
      ),
    ],
    verify: [{ type: 'backup-written', directory: p.directory }],
    rollback: { commands: [] },
    irreversible: false,
    disruption: 'none: read-only',
  };
}

export const backup: StepDescriptor = {
  kind: 'backup',
  phase: 20,
  plan(ctx) {
    if (ctx.hop.index !== 1) return;
    const { inv } = ctx;
    ctx.add(
      backupStep({
        directory: ctx.req.backupDir,
        istioNamespace: inv.istioNamespace,
        helmReleases: inv.helmReleases.filter((r) => r.component !== 'other').map((r) => ({ release: r.name, namespace: r.namespace })),
      }),
    );
  },
  touches: () => NO_FACTS,
};
