import semver from 'semver';
import { getRelease } from '../catalog/index.js';
import { minorNumber } from '../../util/version.js';

export interface HopVersions {
  from: string;
  to: string;
}

/**
 * Splits source → target into hops of at most `maxJump` minors. Intermediate hops land on the
 * newest known patch of their minor; the last lands on the target.
 */
export function computeHops(from: string, to: string, maxJump: number): HopVersions[] {
  const down = semver.lt(to, from);
  const hops: HopVersions[] = [];
  let cur = from;
  while (minorNumber(cur) !== minorNumber(to) && Math.abs(minorNumber(to) - minorNumber(cur)) > maxJump) {
    const nextMinor = `1.${minorNumber(cur) + (down ? -maxJump : maxJump)}`;
    const next = getRelease(nextMinor)?.latestPatch ?? `${nextMinor}.0`;
    hops.push({ from: cur, to: next });
    cur = next;
  }
  hops.push({ from: cur, to });
  return hops;
}
