import { describe, expect, it } from 'vitest';
import { retiredHelmValues } from '../../src/plans/catalog/index.js';
import { buildOverrides, parseSet, parseValuesFlag } from '../../src/plans/value-overrides.js';

const none: never[] = [];
const SHA = `sha256:${'0'.repeat(64)}`;

describe('value overrides per component', () => {
  it('parses --set COMPONENT:key=value with helm typing, one key per flag', () => {
    expect(parseSet('istiod:pilot.env.PILOT_ENABLE_AMBIENT=true')).toEqual({ component: 'istiod', path: ['pilot', 'env', 'PILOT_ENABLE_AMBIENT'], value: true });
    expect(parseSet('gateway/istio-ingress:replicaCount=3').value).toBe(3);
    expect(parseSet('cni:ambient.dnsCapture=false').value).toBe(false);
    expect(parseSet('ztunnel:resources=null').value).toBeNull();
    // Text stays text, '=' and ',' inside the value included; a leading zero is not a number.
    expect(parseSet('istiod:meshConfig.defaultConfig.proxyMetadata.X=a=b,c').value).toBe('a=b,c');
    expect(parseSet('base:global.hub=007').value).toBe('007');
    expect(parseValuesFlag('gateway/eu-west=gw.yaml')).toEqual({ component: 'gateway/eu-west', file: 'gw.yaml' });
  });

  it.each([
    ['pilot.env.X=1', /expected COMPONENT:key=value/],
    ['istio:pilot.env.X=1', /unknown component "istio": expected base, istiod, cni, ztunnel or gateway\/NAME/],
    ['gateway:replicaCount=1', /unknown component "gateway"/],
    ['istiod:pilot..env=1', /is not a value key like pilot\.env\.NAME/],
    ['istiod:tolerations[0].key=a', /lists go in a --values file/],
  ])('refuses --set %s in one line, as a usage error', (flag, message) => {
    expect(() => buildOverrides([flag], [], none, '1.24.6')).toThrow(message);
    try {
      buildOverrides([flag], [], none, '1.24.6');
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(64);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('merges files in order, then --set in order, later winning, and describes each key by digest only', () => {
    const o = buildOverrides(
      ['istiod:pilot.env.B=from-set', 'istiod:pilot.resources=null'],
      [
        { component: 'istiod', file: 'a.yaml', content: { pilot: { env: { A: 'one', B: 'file-a' }, resources: { cpu: '1' } } }, sha256: SHA },
        { component: 'istiod', file: 'b.yaml', content: { pilot: { env: { A: 'two' } } }, sha256: SHA },
        { component: 'gateway/ingress', file: 'gw.yaml', content: { replicaCount: 3, secretToken: 's3cr3t' }, sha256: SHA },
      ],
      none,
      '1.24.6',
    );
    expect(o.byComponent.get('istiod')).toEqual({ pilot: { env: { A: 'two', B: 'from-set' }, resources: null } });
    expect(o.keys.map((k) => [k.component, k.key, k.from])).toEqual([
      ['gateway/ingress', 'replicaCount', '--values gateway/ingress=gw.yaml'],
      ['gateway/ingress', 'secretToken', '--values gateway/ingress=gw.yaml'],
      ['istiod', 'pilot.env.A', '--values istiod=b.yaml'],
      ['istiod', 'pilot.env.B', '--set'],
      ['istiod', 'pilot.resources', '--set'],
    ]);
    expect(JSON.stringify(o.keys)).not.toContain('s3cr3t');
    // What apply must be given again: the files first (as helm reads them), then each --set, by digest only.
    expect(o.sources.map((x) => (x.flag === '--set' ? `--set ${x.component}:${x.key}` : `--values ${x.component}=${x.file}`))).toEqual([
      '--values istiod=a.yaml',
      '--values istiod=b.yaml',
      '--values gateway/ingress=gw.yaml',
      '--set istiod:pilot.env.B',
      '--set istiod:pilot.resources',
    ]);
    expect(JSON.stringify(o.sources)).not.toContain('from-set');
    // The same value gives the same digest, another value another one.
    const again = buildOverrides(['istiod:pilot.env.B=from-set', 'istiod:pilot.resources=0'], [], none, '1.24.6');
    expect(again.sources[0]).toEqual(o.sources[3]);
    expect(again.sources[1]).not.toEqual(o.sources[4]);
    expect(o.keys[1]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a --values file that is not a mapping', () => {
    expect(() => buildOverrides([], [{ component: 'ztunnel', file: 'z.yaml', content: ['a'], sha256: SHA }], none, '1.24.6')).toThrow(
      '--values ztunnel=z.yaml: expected a YAML mapping of values, got a list',
    );
  });

  it('refuses keys the catalog knows the target removed or renamed, and allows them for an older target', () => {
    const to124 = retiredHelmValues('1.24.6');
    expect(() => buildOverrides(['istiod:pilot.configSource.subscribedResources=x'], [], to124, '1.24.6')).toThrow(
      /--set istiod:pilot\.configSource\.subscribedResources: Istio 1\.24 removed pilot\.configSource \(the target 1\.24\.6 no longer reads it\) \[1\.24-helm-values-removed\]/,
    );
    // The standalone cni chart keeps the unified tree's cni.* at its top level.
    expect(() => buildOverrides([], [{ component: 'cni', file: 'c.yaml', content: { privileged: true }, sha256: SHA }], to124, '1.24.6')).toThrow(/removed cni\.privileged/);
    const renamed = (() => {
      try {
        buildOverrides(['istiod:istio_cni.enabled=true'], [], to124, '1.24.6');
      } catch (e) {
        return e as Error & { hint?: string };
      }
    })();
    // One line names the key, what replaced it and the key to set instead.
    expect(renamed?.message).toMatch(/^--set istiod:istio_cni\.enabled: Istio 1\.22 renamed istio_cni to pilot\.cni; set pilot\.cni\.enabled instead \[1\.22-/);
    expect(renamed?.hint).toBeUndefined();
    // 1.23 still reads pilot.configSource.
    expect(() => buildOverrides(['istiod:pilot.configSource.subscribedResources=x'], [], retiredHelmValues('1.23.6'), '1.23.6')).not.toThrow();
  });
});
