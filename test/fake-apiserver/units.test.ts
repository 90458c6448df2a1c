import { describe, expect, it } from 'vitest';
import { parseObjects } from './load.js';
import { mergePatch, strategicMerge } from './patch.js';
import { guessPlural, compareVersions } from './registry.js';
import { matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';

describe('label selector parser', () => {
  it('parses every operator into requirements', () => {
    expect(parseLabelSelector('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g,h>4,i<5,app.kubernetes.io/name=x')).toEqual([
      { key: 'a', op: '=', values: ['1'] },
      { key: 'b', op: '=', values: ['2'] },
      { key: 'c', op: '!=', values: ['3'] },
      { key: 'd', op: 'in', values: ['x', 'y'] },
      { key: 'e', op: 'notin', values: ['z'] },
      { key: 'f', op: 'exists', values: [] },
      { key: 'g', op: '!', values: [] },
      { key: 'h', op: 'gt', values: ['4'] },
      { key: 'i', op: 'lt', values: ['5'] },
      { key: 'app.kubernetes.io/name', op: '=', values: ['x'] },
    ]);
    expect(parseLabelSelector('a=')).toEqual([{ key: 'a', op: '=', values: [''] }]);
  });

  it('matches with Kubernetes semantics (!= and notin match absent keys)', () => {
    const m = (sel: string, labels?: Record<string, string>): boolean => matchesLabels(parseLabelSelector(sel), labels);
    expect(m('a!=1', {})).toBe(true);
    expect(m('a!=1', { a: '1' })).toBe(false);
    expect(m('a notin (1)', undefined)).toBe(true);
    expect(m('a in (1)', undefined)).toBe(false);
    expect(m('a=', { a: '' })).toBe(true);
    expect(m('a=', {})).toBe(false);
    expect(m('h>4', { h: 'x' })).toBe(false);
  });

  it.each(['a in b', 'a notin (b', '!', 'a,,b', 'a=b=c', 'a>x', ',a', 'a (b)', 'a/b/c=1', `${'k'.repeat(64)}=v`])('rejects %j', (sel) => {
    expect(() => parseLabelSelector(sel)).toThrow(SelectorError);
  });
});

describe('field selector parser', () => {
  it('parses =, ==, != and escapes', () => {
    expect(parseFieldSelector('a=1,b==2,c!=3,d=x\\,y')).toEqual([
      { field: 'a', op: '=', value: '1' },
      { field: 'b', op: '=', value: '2' },
      { field: 'c', op: '!=', value: '3' },
      { field: 'd', op: '=', value: 'x,y' },
    ]);
    expect(parseFieldSelector('')).toEqual([]);
    expect(() => parseFieldSelector('noop')).toThrow(SelectorError);
    expect(() => parseFieldSelector('a=b=c')).toThrow(SelectorError);
  });
});

describe('patches', () => {
  it('merge patch follows RFC 7396', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
    expect(mergePatch({ a: 1 }, { a: { x: null } })).toEqual({ a: {} });
  });

  it('strategic merge handles merge keys, $patch directives and finalizers', () => {
    const base = {
      metadata: { finalizers: ['a'] },
      spec: { volumes: [{ name: 'v1', emptyDir: {} }], containers: [{ name: 'c', volumeMounts: [{ mountPath: '/a', name: 'v1' }], ports: [{ containerPort: 80 }] }] },
    };
    const out = strategicMerge(base, {
      metadata: { finalizers: ['b'] },
      spec: {
        $setElementOrder: [],
        volumes: [{ name: 'v2', emptyDir: {} }],
        containers: [{ name: 'c', volumeMounts: [{ mountPath: '/a', readOnly: true }], ports: [{ containerPort: 81 }] }],
      },
    }) as typeof base;
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(out.spec.volumes.map((v) => v.name)).toEqual(['v1', 'v2']);
    expect(out.spec.containers[0]!.volumeMounts).toEqual([{ mountPath: '/a', name: 'v1', readOnly: true }]);
    expect(out.spec.containers[0]!.ports).toEqual([{ containerPort: 80 }, { containerPort: 81 }]);
    expect(strategicMerge({ spec: { volumes: [{ name: 'a' }, { name: 'b' }] } }, { spec: { volumes: [{ name: 'c' }, { $patch: 'replace' }] } })).toEqual({ spec: { volumes: [{ name: 'c' }] } });
    expect(strategicMerge({ spec: { x: { y: 1 } } }, { spec: { x: { $patch: 'delete' } } })).toEqual({ spec: {} });
    expect(base.spec.volumes).toHaveLength(1); // input untouched
  });
});

describe('registry helpers and fixture parsing', () => {
  it('guesses plurals and orders versions like Kubernetes', () => {
    expect(['Gateway', 'AuthorizationPolicy', 'Ingress', 'EnvoyFilter', 'Mesh'].map(guessPlural)).toEqual(['gateways', 'authorizationpolicies', 'ingresses', 'envoyfilters', 'meshes']);
    expect(['v1alpha1', 'v1beta1', 'v2', 'v1', 'foo', 'v1beta2'].sort(compareVersions)).toEqual(['v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'foo']);
  });

  it('flattens List, typed lists and ClusterSnapshot documents', () => {
    const yamlText = 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a, namespace: x}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    expect(parseObjects(yamlText).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(['v1 Pod a', 'v1 ConfigMap c']);
    const snap = JSON.stringify({ apiVersion: 'istio-upgrade/v1', kind: 'ClusterSnapshot', items: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }] });
    expect(parseObjects(snap).map((o) => o.kind)).toEqual(['Deployment']);
  });
});

describe('writeKubeconfig', () => {
  it('writes a kubeconfig client-node loads, with extra contexts and a namespace', async () => {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { writeKubeconfig } = await import('../support/kubeconfig.js');
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    try {
      const path = join(dir, 'nested', 'config');
      writeKubeconfig(path, { server: 'http://127.0.0.1:1234', token: 't0k', context: 'main', namespace: 'istio-system', extraContexts: ['other', 'main'] });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      expect(kc.getCurrentContext()).toBe('main');
      expect(kc.getContexts().map((c) => `${c.name}:${c.namespace}`)).toEqual(['main:istio-system', 'other:istio-system']);
      expect(kc.getCurrentCluster()).toMatchObject({ server: 'http://127.0.0.1:1234', skipTLSVerify: true });
      expect(kc.getCurrentUser()!.token).toBe('t0k');
      writeKubeconfig(path, { server: 'https://k8s.example:6443', token: 'x' });
      const kc2 = new KubeConfig();
      kc2.loadFromFile(path);
      expect(kc2.getCurrentContext()).toBe('fake');
      expect(kc2.getCurrentCluster()!.skipTLSVerify).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
