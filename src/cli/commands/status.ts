import { discover } from '../../k8s/discover/index.js';
import { colorEnabled, makeChalk } from '../color.js';
import { openSource } from '../source.js';
import { validateNamespace, type ClusterOptions, type OutputOptions } from '../options.js';
import { renderStatus } from '../render/status-text.js';
import { terminalWidth } from '../render/width.js';
import { renderDocument, writeStdout } from '../write-output.js';

export async function statusCommand(opts: ClusterOptions & OutputOptions): Promise<number> {
  const source = await openSource(opts);
  const inventory = await discover(source, { istioNamespace: validateNamespace(opts.istioNamespace) });
  if (opts.output !== 'text') await writeStdout(renderDocument(inventory, opts.output));
  else await writeStdout(renderStatus(inventory, makeChalk(colorEnabled(opts.color)), terminalWidth()));
  return 0;
}
