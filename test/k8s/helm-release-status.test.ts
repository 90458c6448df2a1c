import { describe, expect, it } from 'vitest';
import { isPendingRelease, lastGoodRevision } from '../../src/k8s/helm-release.js';

describe('Helm release status', () => {
  it('calls only the three pending-* statuses pending', () => {
    for (const status of ['pending-install', 'pending-upgrade', 'pending-rollback']) expect(isPendingRelease({ status })).toBe(true);
    for (const status of ['deployed', 'superseded', 'failed', 'uninstalling', 'uninstalled', 'unknown']) expect(isPendingRelease({ status })).toBe(false);
  });

  it('finds the newest completed revision, below a bound when given', () => {
    const history = [
      { revision: 1, status: 'superseded' },
      { revision: 2, status: 'deployed' },
      { revision: 3, status: 'failed' },
      { revision: 4, status: 'pending-upgrade' },
    ];
    expect(lastGoodRevision(history)).toBe(2);
    expect(lastGoodRevision(history, 2)).toBe(1);
    expect(lastGoodRevision(history, 1)).toBeNull();
    expect(lastGoodRevision([{ revision: 1, status: 'pending-install' }])).toBeNull();
  });
});
