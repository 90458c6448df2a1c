import { apiCommand, helmCommand, istioctlCommand } from '../plan/commands.js';
import type { ChartSource } from '../plan/operations.js';
import { plainSettings, valueSettings, type ChartSetting } from './commands.js';
import { helmReleaseOf } from './hop-context.js';
import { activeRevision } from '../plans/planner/source.js';
import type { Inventory } from '../k8s/inventory.js';
import { valueAt } from '../k8s/helm-release.js';
import type { PlanCommand } from '../plan/schema.js';
import { revisionTagTemplates } from '../plans/catalog/index.js';
import { factKey } from '../plan/facts.js';
import type { StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';
import { restartNamespaces } from './workload-restart.js';

export interface TagMoveParams {
  method: 'helm' | 'istioctl';
  tag: string;
  namespace: string;
  charts: ChartSource;
  from: { revision: string; version: string; templates: string[] };
  to: { revision: string; version: string; templates: string[] };
  namespaces: string[];
  gatewaysFollowing: string[];
  /** Values of the revisions' istiod that the revision-tags template reads (see injectorSettings). */
  injector?: ChartSetting[];
}

/**
 * The istiod values the chart's revision-tags template reads besides the revision (istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/revision-tags-mwc.yaml). Rendered without them, a moved
 * `default` tag loses the webhook that injects unlabelled namespaces (enableNamespacesByDefault) and every tag its
 * reinvocation policy or remote injection URL. Every revision the plan installs reuses the source's istiod values.
 */
const INJECTOR_VALUES = [
  'sidecarInjectorWebhook.enableNamespacesByDefault',
  'sidecarInjectorWebhook.reinvocationPolicy',
  'sidecarInjectorWebhook.revisionLabelPreference',
  'istiodRemote.injectionURL',
  'istiodRemote.injectionPath',
];

export function injectorSettings(inv: Inventory): ChartSetting[] {
  const values = helmReleaseOf(inv, activeRevision(inv)?.helmRelease)?.values ?? {};
  return INJECTOR_VALUES.flatMap((path) => {
    const v = valueAt(values, path);
    return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? [{ path, value: v }] : [];
  });
}

/** Name under which inventory and plans know the revision-less control plane. */
export const REVISIONLESS = 'default';

/** The Service a revision's injection webhooks call: `istiod` for the revision-less control plane. */
export function webhookService(revision: string): string {
  return revision === REVISIONLESS ? 'istiod' : `istiod-${revision}`;
}

/** The commands that make one tag point at a revision. */
export function tagPointCommands(p: Pick<TagMoveParams, 'method' | 'tag' | 'namespace' | 'charts' | 'injector'>, at: TagMoveParams['to']): PlanCommand[] {
  if (p.method === 'istioctl') {
    return [istioctlCommand({ op: 'tag-set', tag: p.tag, revision: at.revision }, `point tag ${p.tag} at revision ${at.revision}`)];
  }
  // The revision-less control plane is revision "" behind Service `istiod`; `revision=default` would point the
  // webhook at Service `istiod-default`, which does not exist, and fail every pod creation (failurePolicy Fail).
  const revisionless = at.revision === REVISIONLESS;
  return [
    helmCommand(
      {
        op: 'template',
        release: revisionless ? 'istiod' : `istiod-${at.revision}`,
        namespace: p.namespace,
        chart: 'istiod',
        source: p.charts,
        version: at.version,
        showOnly: at.templates,
        values: { reuse: null, settings: [...plainSettings(['revisionTags', `{${p.tag}}`], ['revision', revisionless ? '' : at.revision]), ...valueSettings(p.injector ?? [])] },
      },
      `render the ${p.tag} tag objects for revision ${at.revision} with chart ${at.version}`,
    ),
    apiCommand({ type: 'apply-rendered', fieldManager: 'istio-upgrade' }, 'apply the rendered objects through the Kubernetes API (not owned by any Helm release)'),
  ];
}

export function tagMoveStep(p: TagMoveParams): BuiltStep {
  // The default tag also serves namespaces labelled istio-injection=enabled; other tags only istio.io/rev=<tag>.
  const affects = p.namespaces.length
    ? `namespaces ${p.namespaces.join(', ')}`
    : p.tag === 'default'
      ? 'namespaces labelled istio-injection=enabled'
      : `no namespace (none is labelled istio.io/rev=${p.tag})`;
  return {
    kind: 'tag-move',
    qualifier: p.tag,
    title: `Move revision tag ${p.tag} from ${p.from.revision} to ${p.to.revision}`,
    why: [
      {
        text:
          p.namespaces.length || p.tag === 'default'
            ? `Tags are the mutable pointer namespaces use; moving ${p.tag} switches ${affects} to the new control plane for new pods.`
            : `Tags are the mutable pointer namespaces use; no namespace is labelled istio.io/rev=${p.tag} today, so moving it switches none, and the tag stays served once the old revision goes.`,
        source: 'istio.io docs/setup/upgrade/canary#stable-revision-labels',
      },
    ],
    commands: tagPointCommands(p, p.to),
    verify: [{ type: 'tag-points-to', tag: p.tag, revision: p.to.revision }],
    rollback: { commands: tagPointCommands(p, p.from) },
    irreversible: false,
    disruption:
      (p.namespaces.length || p.tag === 'default' ? `new pods in ${affects} are injected by ${p.to.revision}` : `no namespace changes injector: none is labelled istio.io/rev=${p.tag}`) +
      (p.gatewaysFollowing.length ? `; Gateway API gateways and waypoints using this tag restart immediately: ${p.gatewaysFollowing.join(', ')}` : ''),
  };
}

/** Default order: fewest namespaces first, `default` last; `--tag-order` names go first. */
function orderTags(tags: string[], nsFor: (t: string) => string[], explicit: string[] | undefined): string[] {
  const byDefault = [...tags].sort((a, b) => (a === 'default' ? 1 : 0) - (b === 'default' ? 1 : 0) || nsFor(a).length - nsFor(b).length || a.localeCompare(b));
  if (!explicit?.length) return byDefault;
  const first = explicit.filter((t) => tags.includes(t));
  return [...first, ...byDefault.filter((t) => !first.includes(t))];
}

/** Canary: every tag on the old revision moves to the new one, each followed by a restart of its namespaces. */
export const tagMove: StepDescriptor = {
  kind: 'tag-move',
  phase: 85,
  plan(ctx) {
    const { inv, hop, state } = ctx;
    const from = state.revision;
    if (ctx.req.strategy !== 'canary' || from === hop.revision) return;
    const nsFor = (tag: string) =>
      [...state.namespaceRevLabels].filter(([n, v]) => v === tag || (tag === 'default' && state.namespaceInjection.get(n) === 'enabled')).map(([n]) => n).sort();
    const tagsToMove = [...state.tags].filter(([, rev]) => rev === from).map(([t]) => t);
    for (const tag of orderTags(tagsToMove, nsFor, ctx.req.tagOrder)) {
      const namespaces = nsFor(tag);
      const following = [...inv.gateways.filter((g) => g.type === 'gateway-api'), ...inv.waypoints]
        .filter((g) => (g.revision ?? 'default') === tag)
        .map((g) => `${g.namespace}/${g.name}`);
      ctx.add(
        tagMoveStep({
          method: ctx.method,
          tag,
          namespace: inv.istioNamespace,
          charts: ctx.charts,
          from: { revision: from, version: hop.from, templates: revisionTagTemplates(hop.from) },
          to: { revision: hop.revision, version: hop.to, templates: revisionTagTemplates(hop.to) },
          namespaces,
          gatewaysFollowing: following,
          injector: injectorSettings(inv),
        }),
        [factKey.tagRevision(tag)],
      );
      state.tags.set(tag, hop.revision);
      // istioctl renders istiod-default-validator with the default tag (`tag set default`); Helm's tag objects do not.
      if (tag === 'default' && ctx.method === 'istioctl') state.defaultRevision = hop.revision;
      restartNamespaces(ctx, namespaces, `tag-${tag}`, `in namespaces using tag ${tag}`);
    }
    const otherTags = [...state.tags].filter(([, rev]) => rev !== from && rev !== hop.revision);
    if (hop.index === 1 && otherTags.length) {
      ctx.f.warning('tags-left-alone', `tags pointing at other revisions are not moved: ${otherTags.map(([t, r]) => `${t} → ${r}`).join(', ')}`);
    }
  },
  // Moving the default tag also moves the default validator.
  touches: (step) => ({ keys: [factKey.validator, ...step.verify.flatMap((v) => (v.type === 'tag-points-to' ? [factKey.tagRevision(v.tag)] : []))], groups: [] }),
};
