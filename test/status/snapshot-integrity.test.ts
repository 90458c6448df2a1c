/** Snapshots carry an item count and digest: a file cut short or edited is an error, a plain List is unverified. */
import { describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { buildSnapshot } from '../../src/k8s/snapshot-writer.js';
import { parseSnapshot } from '../../src/k8s/snapshot.js';
import { readFixture } from '../support/fixtures.js';
import { UserError } from '../../src/errors.js';

const fx = readFixture('ambient-helm-1.23');
const written = () => buildSnapshot(structuredClone(fx.items), { kubernetesVersion: fx.kubernetesVersion, context: 'prod', clusterId: 'uid-ks' });

describe('snapshot integrity', () => {
  it('a snapshot written by the tool reads back verified, as YAML and as JSON, with the kube-system UID', () => {
    const snap = written();
    expect(snap.integrity).toEqual({ items: snap.items.length, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    for (const text of [dump(snap, { noRefs: true, lineWidth: 120 }), JSON.stringify(snap)]) {
      const back = parseSnapshot(text, 'cluster.yaml');
      expect(back.verified).toBe(true);
      expect(back.clusterId).toBe('uid-ks');
    }
    expect(snap.items.some((o) => o.kind === 'Namespace' && o.metadata.name === 'kube-system')).toBe(true);
  });

  it('a YAML snapshot cut at an item boundary is an error naming both counts', () => {
    const snap = written();
    const text = dump(snap, { noRefs: true, lineWidth: 120 });
    // Cut before the last item starts: still valid YAML, one item short.
    const cut = text.slice(0, text.lastIndexOf('\n  - apiVersion:') + 1);
    const e = (() => {
      try {
        parseSnapshot(cut, 'cluster.yaml');
      } catch (x) {
        return x as UserError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toBe(`cluster.yaml is damaged: it says ${snap.items.length} items but holds ${snap.items.length - 1} (cut short or edited); write it again with istio-upgrade snapshot --out`);
  });

  it('an edited item is caught by the digest', () => {
    const snap = written();
    const ztunnel = snap.items.find((o) => o.kind === 'DaemonSet')!;
    ztunnel.metadata.name = `${ztunnel.metadata.name}-renamed`;
    expect(() => parseSnapshot(JSON.stringify(snap), 's.json')).toThrow('s.json is damaged: its items do not match the digest it records');
  });

  it('a plain kubectl List, or a snapshot without integrity, reads as unverified', () => {
    expect(parseSnapshot(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: fx.items }), 'l.json', '1.30.2').verified).toBe(false);
    const { integrity: _none, ...older } = written();
    expect(parseSnapshot(JSON.stringify(older), 'o.json').verified).toBe(false);
  });
});
