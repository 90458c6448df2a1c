import { discover } from '../../k8s/discover/index.js';
import { unusedRevisionsFinding } from '../../k8s/revision-use.js';
import { colorEnabled, makeChalk } from '../color.js';
import { openSource } from '../source.js';
import { validateNamespace, type ClusterOptions, type OutputOptions } from '../options.js';
import { isMeshSelection, type MeshSelectionOptions } from '../mesh-input.js';
import { renderStatus } from '../render/status-text.js';
import { terminalWidth } from '../render/width.js';
import { renderDocument, writeStdout } from '../write-output.js';

export async function statusCommand(opts: (ClusterOptions | MeshSelectionOptions) & OutputOptions): Promise<number> {
  const c = makeChalk(colorEnabled(opts.color));
  if (isMeshSelection(opts)) {
    const { meshStatus } = await import('./status-mesh.js');
    await writeStdout(await meshStatus(opts, c, terminalWidth()));
    return 0;
  }
  const single = opts as ClusterOptions & OutputOptions;
  const source = await openSource(single);
  const inventory = await discover(source, { istioNamespace: validateNamespace(single.istioNamespace) });
  const unused = unusedRevisionsFinding(inventory);
  if (unused) inventory.findings.push(unused);
  if (opts.output !== 'text') await writeStdout(renderDocument(inventory, opts.output));
  else await writeStdout(renderStatus(inventory, c, terminalWidth()));
  return 0;
}
