import type { ChalkInstance } from 'chalk';
import { joinMesh, memberName, type MeshMemberInput } from '../../plans/mesh/index.js';
import { Findings } from '../../plans/planner/findings.js';
import { readMeshMembers, type MeshSelectionOptions } from '../mesh-input.js';
import type { OutputOptions } from '../options.js';
import { renderStatus } from '../../report/inventory/text.js';
import { wrapText } from '../../report/text/width.js';
import { renderDocument } from '../../report/structured.js';

/** `status` over the clusters of a multi-cluster mesh: each cluster's status, then whether they form one mesh. */
export async function meshStatus(opts: MeshSelectionOptions & OutputOptions, c: ChalkInstance, width: number): Promise<string> {
  const members = await readMeshMembers(opts);
  const f = new Findings();
  joinMesh(members, f);
  if (opts.output !== 'text') {
    return renderDocument(
      { apiVersion: 'istio-upgrade/v1', kind: 'MeshInventory', clusters: members.map((m) => ({ name: memberName(m), given: m.label, inventory: m.inventory })), checks: { blockers: f.blockers, warnings: f.warnings } },
      opts.output,
    );
  }
  const out = members.map((m: MeshMemberInput) => `${c.bold.inverse(` cluster ${memberName(m)} `)}${m.label !== memberName(m) ? c.dim(` (${m.label})`) : ''}\n${renderStatus(m.inventory, c, width)}`);
  const checks: string[] = [c.bold('Mesh checks')];
  if (!f.blockers.length && !f.warnings.length) checks.push('  the clusters form one mesh: same mesh ID and trust domain, every cluster read by a remote secret given, every remote\'s control plane given');
  for (const b of f.blockers) checks.push(...wrapText(`${c.red('✗')} ${b.message} ${c.dim(`[${b.id}]`)}`, width, '  ', '    '));
  for (const w of f.warnings) checks.push(...wrapText(`! ${w.message} ${c.dim(`[${w.id}]`)}`, width, '  ', '    '));
  return `${out.join('\n')}\n${checks.join('\n')}\n`;
}
