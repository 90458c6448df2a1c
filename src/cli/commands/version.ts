import { listMinors, newestKnown } from '../../plans/catalog/index.js';
import { TOOL_VERSION } from '../../version.js';
import type { OutputOptions } from '../options.js';
import { writeStdout } from '../write-output.js';
import { renderDocument } from '../../report/structured.js';

/** `version`: the tool, the release catalog it plans with, and the runtime, as text or a document. */
export async function versionCommand(opts: OutputOptions): Promise<number> {
  const minors = listMinors();
  const doc = {
    apiVersion: 'istio-upgrade/v1',
    kind: 'Version',
    version: TOOL_VERSION,
    catalog: { source: 'built-in', minors: { oldest: minors[0], newest: minors[minors.length - 1] }, newestRelease: newestKnown() },
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
  if (opts.output !== 'text') return writeStdout(renderDocument(doc, opts.output)).then(() => 0);
  await writeStdout(
    [
      `istio-upgrade ${doc.version}`,
      `release catalog: Istio ${doc.catalog.minors.oldest}–${doc.catalog.minors.newest} (newest release ${doc.catalog.newestRelease}, built in)`,
      `node ${doc.node} ${doc.platform}`,
      '',
    ].join('\n'),
  );
  return 0;
}
