import { api, chartRef, helm, istioctl } from './commands.js';
import type { PlanCommand } from '../plans/plan-schema.js';
import type { BuiltStep } from './types.js';

export interface TagMoveParams {
  method: 'helm' | 'istioctl';
  tag: string;
  namespace: string;
  chartRepo: string;
  from: { revision: string; version: string; templates: string[] };
  to: { revision: string; version: string; templates: string[] };
  namespaces: string[];
  gatewaysFollowing: string[];
}

/** Name under which inventory and plans know the revision-less control plane. */
export const REVISIONLESS = 'default';

/** The Service a revision's injection webhooks call: `istiod` for the revision-less control plane. */
export function webhookService(revision: string): string {
  return revision === REVISIONLESS ? 'istiod' : `istiod-${revision}`;
}

/** The commands that make one tag point at a revision. */
export function tagPointCommands(p: Pick<TagMoveParams, 'method' | 'tag' | 'namespace' | 'chartRepo'>, at: TagMoveParams['to']): PlanCommand[] {
  if (p.method === 'istioctl') {
    return [istioctl(['tag', 'set', p.tag, '--revision', at.revision, '--overwrite', '-y'], `point tag ${p.tag} at revision ${at.revision}`)];
  }
  // The revision-less control plane is revision "" behind Service `istiod`; `revision=default` would point the
  // webhook at Service `istiod-default`, which does not exist, and fail every pod creation (failurePolicy Fail).
  const revisionless = at.revision === REVISIONLESS;
  return [
    helm(
      [
        'template',
        revisionless ? 'istiod' : `istiod-${at.revision}`,
        chartRef(p.chartRepo, 'istiod'),
        '-n',
        p.namespace,
        '--version',
        at.version,
        ...at.templates.flatMap((t) => ['-s', t]),
        '--set',
        `revisionTags={${p.tag}}`,
        '--set',
        `revision=${revisionless ? '' : at.revision}`,
      ],
      `render the ${p.tag} tag objects for revision ${at.revision} with chart ${at.version}`,
    ),
    api(['kubectl', 'apply', '--server-side', '--field-manager=istio-upgrade', '-f', '-'], 'apply the rendered objects through the Kubernetes API (not owned by any Helm release)', {
      type: 'apply-rendered',
      fieldManager: 'istio-upgrade',
    }),
  ];
}

export function tagMoveStep(p: TagMoveParams): BuiltStep {
  const affects = p.namespaces.length ? `namespaces ${p.namespaces.join(', ')}` : 'no labelled namespace';
  return {
    kind: 'tag-move',
    qualifier: p.tag,
    title: `Move revision tag ${p.tag} from ${p.from.revision} to ${p.to.revision}`,
    why: [{ text: `Tags are the mutable pointer namespaces use; moving ${p.tag} switches ${affects} to the new control plane for new pods.`, source: 'istio.io docs/setup/upgrade/canary#stable-revision-labels' }],
    commands: tagPointCommands(p, p.to),
    verify: [{ type: 'tag-points-to', tag: p.tag, revision: p.to.revision }],
    rollback: { commands: tagPointCommands(p, p.from) },
    irreversible: false,
    disruption:
      `new pods of ${affects} are injected by ${p.to.revision}` +
      (p.gatewaysFollowing.length ? `; Gateway API gateways and waypoints using this tag restart immediately: ${p.gatewaysFollowing.join(', ')}` : ''),
  };
}
