import { discover } from '../../k8s/discover/index.js';
import { unusedRevisionsFinding } from '../../k8s/revision-use.js';
import { renderInventory } from '../../report/inventory/index.js';
import { textStyle } from '../color.js';
import { openSource } from '../source.js';
import { validateNamespace, type ClusterOptions, type OutputOptions } from '../options.js';
import { isMeshSelection, type MeshSelectionOptions } from '../mesh-input.js';
import { writeStdout } from '../write-output.js';

export async function statusCommand(opts: (ClusterOptions | MeshSelectionOptions) & OutputOptions): Promise<number> {
  const style = textStyle(opts.color);
  if (isMeshSelection(opts)) {
    const { meshStatus } = await import('./status-mesh.js');
    await writeStdout(await meshStatus(opts, style.chalk, style.width));
    return 0;
  }
  const single = opts as ClusterOptions & OutputOptions;
  const source = await openSource(single);
  const inventory = await discover(source, { istioNamespace: validateNamespace(single.istioNamespace) });
  const unused = unusedRevisionsFinding(inventory);
  if (unused) inventory.findings.push(unused);
  await writeStdout(renderInventory(inventory, opts.output, style));
  return 0;
}
