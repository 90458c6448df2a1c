import semver from 'semver';

/**
 * The version helpers every layer shares. Istio versions are `1.N.P`, sometimes written `v1.N.P`
 * or as a bare minor `1.N`; anything unreadable reads as `0.0`, never as a throw.
 */

/** `1.24.2` → `1.24`. */
export function minorOf(version: string): string {
  const c = semver.coerce(version);
  return `${c?.major ?? 0}.${c?.minor ?? 0}`;
}

/** `1.24.2` → 24: the number that counts hops and skew within Istio 1.x. */
export function minorNumber(version: string): number {
  return semver.coerce(version)?.minor ?? 0;
}
