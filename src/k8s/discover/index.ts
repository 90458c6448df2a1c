import type { ClusterSource } from '../source.js';
import type { Inventory } from '../inventory.js';
import { buildInventory } from './build.js';
import { readCluster, type ReadOptions } from './read.js';

export async function discover(source: ClusterSource, opts: ReadOptions): Promise<Inventory> {
  const raw = await readCluster(source, { capturedAt: source.capturedAt ?? null, ...opts });
  return buildInventory(raw, { type: source.kind });
}

export { readCluster, buildInventory };
