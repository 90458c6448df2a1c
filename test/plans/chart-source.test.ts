import { describe, expect, test } from 'vitest';
import { chartArgs, defaultChartSource, parseChartSource, retiredImageHub, retiredLocation } from '../../src/plans/chart-source.js';

const noDir = (d: string): string[] => {
  throw new Error(`ENOENT: no such file or directory, scandir '${d}'`);
};

describe('chart sources', () => {
  test('--chart-repo: URL, oci:// prefix, directory, alias', () => {
    expect(parseChartSource('https://mirror.corp.example/istio/', noDir)).toEqual({ kind: 'repo', url: 'https://mirror.corp.example/istio' });
    expect(parseChartSource('oci://ghcr.io/istio/release/charts', noDir)).toEqual({ kind: 'oci', prefix: 'oci://ghcr.io/istio/release/charts' });
    expect(parseChartSource('./charts', () => ['ztunnel-1.24.6.tgz', 'base-1.24.6.tgz'])).toEqual({ kind: 'local', dir: './charts', entries: ['base-1.24.6.tgz', 'ztunnel-1.24.6.tgz'] });
    expect(parseChartSource('istio', noDir)).toEqual({ kind: 'alias', name: 'istio' });
  });

  test.each([[''], ['--post-renderer=/tmp/evil.sh'], ['a b'], ['ftp://x/charts'], ['oci://'], ['https://'], ['is!tio']])('--chart-repo %j is a usage error', (v) => {
    expect(() => parseChartSource(v, noDir)).toThrow(/--chart-repo/);
  });

  test('a directory that cannot be read is a usage error naming it', () => {
    expect(() => parseChartSource('/srv/charts', noDir)).toThrow(/--chart-repo "\/srv\/charts": cannot read the chart directory/);
  });

  test('rendered chart arguments per kind; local prefers the packaged archive of that version', () => {
    expect(chartArgs(defaultChartSource(), 'istiod', '1.24.6')).toEqual(['istiod', '--repo', 'https://blob.istio.io/istio-release/charts']);
    expect(chartArgs({ kind: 'oci', prefix: 'oci://ghcr.io/istio/release/charts' }, 'cni', '1.24.6')).toEqual(['oci://ghcr.io/istio/release/charts/cni']);
    expect(chartArgs({ kind: 'alias', name: 'istio' }, 'base', '1.24.6')).toEqual(['istio/base']);
    const local = { kind: 'local' as const, dir: '/srv/charts', entries: ['base-1.24.6.tgz', 'ztunnel'] };
    expect(chartArgs(local, 'base', '1.24.6')).toEqual(['/srv/charts/base-1.24.6.tgz']);
    expect(chartArgs(local, 'ztunnel', '1.24.6')).toEqual(['/srv/charts/ztunnel']);
  });

  test('retired Istio locations name their replacement; current and private ones do not', () => {
    expect(retiredLocation('https://istio-release.storage.googleapis.com/charts')).toBe('https://blob.istio.io/istio-release/charts');
    expect(retiredLocation('oci://gcr.io/istio-release/charts')).toBe('oci://ghcr.io/istio/release/charts');
    expect(retiredLocation('https://storage.googleapis.com/istio-release.storage.googleapis.com/charts')).toBe('https://blob.istio.io/istio-release/charts');
    expect(retiredImageHub('gcr.io/istio-release')).toBe('docker.io/istio');
    expect(retiredImageHub('registry.istio.io/release')).toBe('docker.io/istio');
    expect(retiredImageHub('docker.io/istio')).toBeUndefined();
    expect(retiredImageHub('registry.corp.example/istio')).toBeUndefined();
    expect(retiredLocation('https://blob.istio.io/istio-release/charts')).toBeUndefined();
    expect(retiredLocation('docker.io/istio')).toBeUndefined();
    expect(retiredLocation('gcr.io/istio-releases-mirror')).toBeUndefined();
  });
});
