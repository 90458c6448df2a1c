import { api } from './commands.js';
import type { BuiltStep } from './types.js';

export interface NamespaceRelabelParams {
  namespaces: string[];
  /** Labels to set; null removes the label. */
  labels: Record<string, string | null>;
  previous: Record<string, string | null>;
  reason: string;
  qualifier: string;
}

function kubectlArgs(namespaces: string[], labels: Record<string, string | null>): string[] {
  return ['kubectl', 'label', 'namespace', ...namespaces, ...Object.entries(labels).map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`)), '--overwrite'];
}

/** Namespaces pinned to the old revision by name (not by tag) do not follow tag moves. */
export function namespaceRelabelStep(p: NamespaceRelabelParams): BuiltStep {
  const [label, value] = Object.entries(p.labels).find(([, v]) => v !== null) ?? ['istio.io/rev', null];
  return {
    kind: 'namespace-relabel',
    qualifier: p.qualifier,
    title: `Relabel ${p.namespaces.length} namespace(s) to ${Object.entries(p.labels).map(([k, v]) => (v === null ? `-${k}` : `${k}=${v}`)).join(' ')}`,
    why: [{ text: p.reason }],
    commands: [api(kubectlArgs(p.namespaces, p.labels), `label ${p.namespaces.join(', ')}`, { type: 'label-namespaces', namespaces: p.namespaces, labels: p.labels })],
    verify: [{ type: 'namespaces-labelled', namespaces: p.namespaces, label, value }],
    rollback: { commands: [api(kubectlArgs(p.namespaces, p.previous), `restore the labels of ${p.namespaces.join(', ')}`, { type: 'label-namespaces', namespaces: p.namespaces, labels: p.previous })] },
    irreversible: false,
    disruption: 'none until pods restart: new pods in these namespaces get the new proxy',
  };
}
