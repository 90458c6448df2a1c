/**
 * Accumulates the objects of one cluster and its Helm releases, then produces a ClusterSnapshot. Release Secrets
 * are rendered last so that the newest revision's `manifest` holds the objects the release owns.
 */
import { snapshot, type ClusterSnapshotDoc } from './cluster.js';
import { helmHistorySpecs, helmReleaseSecret, type HelmHistoryOptions, type HelmReleaseSpec } from './helm.js';
import { helmManifest } from './manifest.js';
import type { K8sObject } from './meta.js';

interface RegisteredRelease {
  specs: HelmReleaseSpec[];
  /** Chart path used in the manifest's `# Source:` comments; undefined = no manifest. */
  manifestChart?: string;
}

export class ClusterBuilder {
  readonly items: K8sObject[] = [];
  private readonly releases: RegisteredRelease[] = [];

  add(...objects: (K8sObject | K8sObject[])[]): this {
    for (const o of objects) {
      if (Array.isArray(o)) this.items.push(...o);
      else this.items.push(o);
    }
    return this;
  }

  /** Registers a release history (revision 1..N). `manifestChart` turns on the manifest for the newest revision. */
  helmHistory(o: HelmHistoryOptions, manifestChart?: string): this {
    this.releases.push({ specs: helmHistorySpecs(o), manifestChart });
    return this;
  }

  /** Registers single release revisions given as full specs. */
  helmSpecs(specs: HelmReleaseSpec[], manifestChart?: string): this {
    this.releases.push({ specs, manifestChart });
    return this;
  }

  /** Every release revision registered so far (the values each Secret was built from). */
  releaseSpecs(): HelmReleaseSpec[] {
    return this.releases.flatMap((r) => r.specs);
  }

  build(o: { kubernetesVersion: string; context: string; capturedAt: string; clusterId?: string }): ClusterSnapshotDoc {
    const secrets: K8sObject[] = [];
    for (const r of this.releases) {
      const newest = r.specs[r.specs.length - 1]!;
      const manifest = r.manifestChart ? helmManifest(this.items, newest.name, newest.namespace, r.manifestChart) : '';
      for (const spec of r.specs) {
        let m = spec.manifest;
        if (m === undefined && manifest) {
          // Older revisions: the same documents rendered by the older chart (versions substituted).
          m = spec.chart.version === newest.chart.version ? manifest : manifest.split(newest.chart.version).join(spec.chart.version);
        }
        secrets.push(helmReleaseSecret({ ...spec, manifest: m }));
      }
    }
    return snapshot({ ...o, items: [...this.items, ...secrets] });
  }
}
