import { helmUninstall, plainSettings, valueSettings, type ChartSetting } from './commands.js';
import { helmCommand, istioctlCommand } from '../plan/commands.js';
import type { ChartSource } from '../plan/operations.js';
import { factGroup, factKey, helmReleaseFacts } from '../plan/facts.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { chartSettings, helmReleaseOf } from './hop-context.js';
import type { BuiltStep } from './types.js';

export interface IstiodInstallParams {
  method: 'helm' | 'istioctl';
  namespace: string;
  charts: ChartSource;
  version: string;
  revision: string;
  /** The running istiod release whose values the new one starts from. */
  valuesFrom: { release: string; namespace: string } | null;
  ambient: boolean;
  compatibilityVersion: string | null;
  /** The values it starts from carry a compatibilityVersion this hop must not inherit. */
  clearCompatibilityVersion: boolean;
  /** The old release rendered tags itself; the new one must not, or Helm ownership clashes. */
  clearRevisionTags: boolean;
  /** istioctl installs: the operator's IstioOperator file the new revision is installed from. */
  operatorFile?: { path: string; sha256: string } | null;
  /** Workaround values from upgrade notes (e.g. the istio-csr ALPN setting); Helm installs only. */
  settings?: ChartSetting[];
  /** istioctl installs: `--hub` as the IstioOperator's hub (Helm installs get it through settings). */
  hub?: string;
}

export function istiodReleaseName(revision: string): string {
  return `istiod-${revision}`;
}

export function istiodInstallStep(p: IstiodInstallParams): BuiltStep {
  const sets: [string, string][] = [['revision', p.revision], ...(p.ambient ? [['profile', 'ambient'] as [string, string]] : []), ...(p.compatibilityVersion ? [['compatibilityVersion', p.compatibilityVersion] as [string, string]] : [])];
  const release = istiodReleaseName(p.revision);
  const ref = { release, namespace: p.namespace };
  const install =
    p.method === 'helm'
      ? helmCommand(
          {
            op: 'install',
            ...ref,
            chart: 'istiod',
            source: p.charts,
            version: p.version,
            values: {
              reuse: p.valuesFrom,
              settings: [
                ...plainSettings(...sets),
                ...(p.clearRevisionTags ? [{ flag: 'set-json' as const, key: 'revisionTags', value: '[]' }] : []),
                ...(p.clearCompatibilityVersion && !p.compatibilityVersion ? plainSettings(['compatibilityVersion', 'null']) : []),
                ...valueSettings(p.settings ?? []),
              ],
            },
            wait: true,
          },
          `install istiod ${p.version} as revision ${p.revision}, starting from the current istiod values`,
        )
      : istioctlCommand(
          {
            op: 'install',
            // Only what the operation's schema keeps: extra fields would be dropped when the plan is read back, and
            // its digest would no longer match (apply refuses the plan as edited).
            file: p.operatorFile ? { path: p.operatorFile.path, sha256: p.operatorFile.sha256 } : null,
            // The file carries the profile and every customisation; without it istioctl would install bare defaults.
            set: [...(p.operatorFile ? [] : [{ key: 'profile', value: p.ambient ? 'ambient' : 'minimal' }]), ...sets.filter(([k]) => k !== 'profile').map(([key, value]) => ({ key, value })), ...(p.hub ? [{ key: 'hub', value: p.hub }] : [])],
          },
          `install istiod ${p.version} as revision ${p.revision} (istioctl ${p.version} must be on PATH)`,
        );
  return {
    kind: 'istiod-install',
    title: `Install istiod ${p.version} as revision ${p.revision}`,
    why: [
      { text: 'Canary upgrade: the new control plane runs beside the old one; nothing moves to it until tags move.', source: 'istio.io docs/setup/upgrade/canary' },
      ...(p.operatorFile ? [{ text: `Installed from IstioOperator file ${p.operatorFile.path} (sha256 ${p.operatorFile.sha256} when planned).` }] : []),
    ],
    commands: [install],
    verify: [
      ...(p.method === 'helm' ? [{ type: 'helm-release' as const, release, namespace: p.namespace, status: 'deployed' as const, chartVersion: p.version }] : []),
      { type: 'deployment-rollout', name: release, namespace: p.namespace },
    ],
    rollback: {
      commands: [
        p.method === 'helm'
          ? helmUninstall(ref, `remove the new revision ${p.revision}`)
          : istioctlCommand({ op: 'uninstall', revision: p.revision }, `remove the new revision ${p.revision}`),
      ],
    },
    irreversible: false,
    disruption: 'none: the new istiod serves no workload until a tag or namespace label points at it',
  };
}

/** Canary: the new revision beside the old one. */
export const istiodInstall: StepDescriptor = {
  kind: 'istiod-install',
  phase: 50,
  plan(ctx) {
    const { inv, hop, state, method } = ctx;
    const istiodValues = ctx.notes.chartValues.filter((v) => v.chart === 'istiod');
    if (method === 'istioctl' && istiodValues.length) {
      ctx.f.warning('istioctl-values-not-automated', `not automated: add ${istiodValues.map((v) => `${v.path}=${JSON.stringify(v.value)}`).join(', ')} to the IstioOperator file of the new revision (notes ${[...new Set(istiodValues.map((v) => v.noteId))].join(', ')})`);
    }
    if (ctx.reuse) {
      // An earlier run installed it; its release is what later hops and follow-ups start from.
      if (method === 'helm' && ctx.reuse.helmRelease) state.istiodRelease = ctx.reuse.helmRelease;
      state.compatibilityVersion = hop.compatibilityVersion;
      return;
    }
    if (ctx.req.strategy !== 'canary') return;
    const oldIstiod = state.istiodRelease;
    const clearTags = hop.index === 1 && Array.isArray(helmReleaseOf(inv, oldIstiod)?.values.revisionTags);
    ctx.add(
      istiodInstallStep({
        method,
        namespace: inv.istioNamespace,
        charts: ctx.charts,
        version: hop.to,
        revision: hop.revision,
        valuesFrom: method === 'helm' ? oldIstiod : null,
        ambient: inv.mode === 'ambient',
        compatibilityVersion: hop.compatibilityVersion,
        clearCompatibilityVersion: state.compatibilityVersion !== null,
        clearRevisionTags: clearTags,
        settings: method === 'helm' ? chartSettings(ctx, 'istiod') : [],
        operatorFile: method === 'istioctl' ? (ctx.req.istioOperatorFile ?? null) : null,
        ...(method === 'istioctl' && ctx.req.hub ? { hub: ctx.req.hub } : {}),
      }),
      [factKey.revisionVersion(state.revision), ...(oldIstiod ? [factKey.helmRevision(oldIstiod.namespace, oldIstiod.release)] : [])],
    );
    if (method === 'helm') state.istiodRelease = { release: istiodReleaseName(hop.revision), namespace: inv.istioNamespace };
    state.compatibilityVersion = hop.compatibilityVersion;
  },
  touches: (step) => ({ keys: verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release)), groups: [factGroup.revisions] }),
};
