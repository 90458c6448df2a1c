import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, harness, type Harness } from './test-helpers.js';

describe('SelfSubjectReview (authentication.k8s.io/v1)', () => {
  let h: Harness | undefined;
  afterEach(() => h?.server.close());

  const review = (x: Harness) => x.kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });

  it('names the authenticated user and groups on 1.28 and newer; stores nothing', async () => {
    h = await harness({ kubernetesVersion: '1.30.2', user: 'alice@example.com', groups: ['platform', 'system:authenticated'] });
    const r = await review(h);
    expect(r.status?.userInfo).toEqual({ username: 'alice@example.com', groups: ['platform', 'system:authenticated'] });
    expect(h.server.requests.filter((q) => q.path === '/apis/authentication.k8s.io/v1/selfsubjectreviews').map((q) => [q.method, q.status])).toEqual([['POST', 201]]);
  });

  it('is not served before 1.28 (404), as on a real server', async () => {
    h = await harness({ kubernetesVersion: '1.27.9' });
    expect((await apiError(review(h))).code).toBe(404);
  });
});
