import { dump } from 'js-yaml';
import type { Inventory } from '../k8s/inventory.js';
import { apiCommand } from '../plan/commands.js';
import type { StepDescriptor } from './descriptor.js';
import { NO_FACTS } from './descriptor.js';
import type { BuiltStep } from './types.js';

const SOURCE = 'istio.io docs/setup/install/multicluster/primary-remote ("Expose the control plane in cluster1": expose-istiod-rev for revisioned control planes)';

interface ExposeObjects {
  gateway: Record<string, unknown>;
  virtualService: Record<string, unknown>;
}

/**
 * Remote clusters reach the primary's istiod through its east-west gateway, which passes TLS through by SNI: a new
 * revision is reachable only once SNI `istiod-<rev>.<ns>.svc` on 15012 (xDS, CA) and 15017 (webhooks) routes to it.
 */
function exposeObjects(revision: string, ns: string): ExposeObjects {
  const host = `istiod-${revision}.${ns}.svc`;
  const gateway = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'istiod-gateway', namespace: ns },
    spec: {
      selector: { istio: 'eastwestgateway' },
      servers: [
        { port: { name: 'tls-istiod', number: 15012, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
        { port: { name: 'tls-istiodwebhook', number: 15017, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
      ],
    },
  };
  const route = (port: number, to: number) => ({ match: [{ port, sniHosts: [host] }], route: [{ destination: { host: `${host}.cluster.local`, port: { number: to } } }] });
  const virtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: `istiod-vs-${revision}`, namespace: ns },
    spec: { hosts: ['*'], gateways: ['istiod-gateway'], tls: [route(15012, 15012), route(15017, 443)] },
  };
  return { gateway, virtualService };
}

/** The manifest the step applies, written beside the plan for people (`kubectl apply -f <file>` does the same). */
export function exposeRevisionManifest(revision: string, ns: string): { file: string; content: string } {
  const o = exposeObjects(revision, ns);
  return { file: exposeFile(revision), content: [o.gateway, o.virtualService].map((d) => dump(d, { lineWidth: -1, noRefs: true })).join('---\n') };
}

function exposeFile(revision: string): string {
  return `expose-istiod-${revision}.yaml`;
}

export function exposeRevisionStep(revision: string, primary: Inventory, remotes: string[]): BuiltStep {
  const ns = primary.istioNamespace;
  const gateway = primary.mesh?.eastWestGateways.find((g) => g.controlPlanePorts);
  const o = exposeObjects(revision, ns);
  return {
    kind: 'expose-istiod-revision',
    qualifier: revision,
    title: `Expose revision ${revision} to ${remotes.join(', ')} on the east-west gateway${gateway ? ` ${gateway.namespace}/${gateway.name}` : ''}`,
    why: [
      { text: `Remote clusters call istiod through this cluster's east-west gateway, routed by SNI: ${remotes.join(', ')} can use ${revision} only once istiod-${revision}.${ns}.svc is routed.`, source: SOURCE },
      ...(gateway ? [] : [{ text: 'No east-west gateway serving 15012 and 15017 was found in this cluster: check how the remotes reach istiod before applying.' }]),
    ],
    commands: [
      apiCommand(
        { type: 'apply-objects', file: exposeFile(revision), fieldManager: 'istio-upgrade', objects: [{ plural: 'gateways', object: o.gateway }, { plural: 'virtualservices', object: o.virtualService }] },
        `route SNI istiod-${revision}.${ns}.svc on 15012/15017 to revision ${revision} (the manifest is written beside the plan)`,
      ),
    ],
    verify: [],
    // The Gateway is shared with the revisions already exposed: only this revision's route is taken away.
    rollback: {
      commands: [
        apiCommand({ type: 'delete-objects', objects: [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', plural: 'virtualservices', namespace: ns, name: `istiod-vs-${revision}` }] }, `stop routing to ${revision}`),
      ],
    },
    irreversible: false,
    disruption: 'none: adds a route; the remotes keep their current revision until their namespaces move',
  };
}

/** Routes a new revision through the primary's east-west gateway for its remotes; planned by the mesh planner. */
export const exposeIstiodRevision: StepDescriptor = {
  kind: 'expose-istiod-revision',
  phase: 55,
  plan() {},
  touches: () => NO_FACTS,
};
