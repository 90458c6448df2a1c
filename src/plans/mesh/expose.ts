import { dump } from 'js-yaml';
import type { Inventory } from '../../k8s/inventory.js';
import type { BuiltStep } from '../../steps/types.js';

const SOURCE = 'istio.io docs/setup/install/multicluster/primary-remote ("Expose the control plane in cluster1": expose-istiod-rev for revisioned control planes)';

/**
 * Remote clusters reach the primary's istiod through its east-west gateway, which passes TLS through by SNI: a new
 * revision is reachable only once SNI `istiod-<rev>.<ns>.svc` on 15012 (xDS, CA) and 15017 (webhooks) routes to it.
 */
export function exposeRevisionManifest(revision: string, ns: string): { file: string; content: string } {
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
  return { file: `expose-istiod-${revision}.yaml`, content: [gateway, virtualService].map((d) => dump(d, { lineWidth: -1, noRefs: true })).join('---\n') };
}

export function exposeRevisionStep(revision: string, primary: Inventory, file: string, remotes: string[]): BuiltStep {
  const ns = primary.istioNamespace;
  const gateway = primary.mesh?.eastWestGateways.find((g) => g.controlPlanePorts);
  return {
    kind: 'expose-istiod-revision',
    qualifier: revision,
    title: `Expose revision ${revision} to ${remotes.join(', ')} on the east-west gateway${gateway ? ` ${gateway.namespace}/${gateway.name}` : ''}`,
    why: [
      { text: `Remote clusters call istiod through this cluster's east-west gateway, routed by SNI: ${remotes.join(', ')} can use ${revision} only once istiod-${revision}.${ns}.svc is routed.`, source: SOURCE },
      ...(gateway ? [] : [{ text: 'No east-west gateway serving 15012 and 15017 was found in this cluster: check how the remotes reach istiod before applying.' }]),
    ],
    commands: [{ argv: ['kubectl', 'apply', '-n', ns, '-f', file], via: 'kubernetes-api', description: `route SNI istiod-${revision}.${ns}.svc on 15012/15017 to revision ${revision} (the manifest is written beside the plan)` }],
    verify: [],
    rollback: { commands: [{ argv: ['kubectl', 'delete', 'virtualservice', `istiod-vs-${revision}`, '-n', ns], via: 'kubernetes-api', description: `stop routing to ${revision}` }] },
    irreversible: false,
    disruption: 'none: adds a route; the remotes keep their current revision until their namespaces move',
  };
}
