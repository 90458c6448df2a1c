import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './test-helpers.js';

describe('SelfSubjectAccessReview', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.server.close());

  const review = (resourceAttributes: Record<string, string>) =>
    h.kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } } });

  it('answers from the same forbid rules that deny requests, per verb, resource, group and namespace; stores nothing', async () => {
    h.server.forbid({ verb: 'patch', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' });
    h.server.forbid({ verb: 'create', resource: 'leases', group: 'coordination.k8s.io', namespace: 'istio-system' });
    expect((await review({ verb: 'patch', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })).status?.allowed).toBe(false);
    expect((await review({ verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })).status?.allowed).toBe(true);
    expect((await review({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'istio-system' })).status?.allowed).toBe(false);
    expect((await review({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'default' })).status?.allowed).toBe(true);
    const posts = h.server.requests.filter((r) => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(posts.map((r) => [r.method, r.status])).toEqual(Array(4).fill(['POST', 201]));
  });
});
