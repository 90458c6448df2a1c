// An istioctl install is re-created from the operator's IstioOperator file: what the running control plane's mesh
// config holds that the file would change or drop is said before anything is installed (issue 9 defect 6).
import { compareMeshConfig } from '../../k8s/mesh-config.js';
import type { Revision } from '../../k8s/inventory.js';
import type { Findings } from './findings.js';
import type { OperatorFile } from './request.js';

const listed = (keys: string[]): string => keys.map((k) => `meshConfig.${k}`).join(', ');

export function operatorFileAgainstMesh(file: OperatorFile, source: Revision, f: Findings): void {
  const where = `ConfigMap ${source.namespace}/${source.meshConfigMap ?? 'istio'}`;
  if (!source.meshConfig) {
    f.warning('operator-file-mesh-not-compared', `--istio-operator-file ${file.path} was not compared with the mesh config of revision ${source.name}: ${source.meshConfigMap ? `${where} could not be read as YAML (or the snapshot predates mesh digests)` : 'it has no mesh ConfigMap'}`);
    return;
  }
  const d = compareMeshConfig(file.meshConfig ?? {}, source.meshConfig);
  if (d.changed.length) {
    f.warning('operator-file-mesh-changed', `--istio-operator-file ${file.path} sets ${listed(d.changed)} to another value than revision ${source.name} runs with (${where}); the new revision takes the file's`, {
      remedy: ['check that the file is the one the mesh was installed with, or that these changes are meant'],
    });
  }
  if (d.dropped.length) {
    f.warning('operator-file-mesh-dropped', `revision ${source.name} runs with ${listed(d.dropped)} (${where}), which --istio-operator-file ${file.path} does not set: unless the file's profile (or a compatibility profile) sets them, the new revision would run without them`, {
      remedy: ['add them to the file\'s spec.meshConfig (read them with kubectl get configmap -n ' + source.namespace + ' ' + (source.meshConfigMap ?? 'istio') + ' -o yaml), then plan again'],
    });
  }
}
