/**
 * Which helm and istioctl binaries a run uses. istioctl must be the client of the Istio minor a command targets, so a
 * multi-hop plan can name one binary per minor (`--istioctl 1.24=/opt/istio-1.24/bin/istioctl --istioctl
 * 1.25=/opt/istio-1.25/bin/istioctl`); a bare path is used for every minor not named.
 */
import { ExitCode, UserError } from '../errors.js';
import type { Tool } from './ports.js';

export interface ToolPaths {
  helm?: string;
  /** For every minor not in `istioctlByMinor`. */
  istioctl?: string;
  istioctlByMinor?: Record<string, string>;
}

/** The explicit binary for a tool (and an istioctl command's Istio minor); undefined: look it up on PATH. */
export function binaryFor(paths: ToolPaths, tool: Tool, istioMinor?: string): string | undefined {
  if (tool === 'istioctl' && istioMinor) return paths.istioctlByMinor?.[istioMinor] ?? paths.istioctl;
  return paths[tool];
}

const PER_MINOR = /^([^=/]+)=(.*)$/;

function checkedPath(flag: string, value: string, path: string): string {
  if (!path.trim()) throw new UserError(`${flag} "${value}" names no binary: give a path, e.g. ${flag} 1.24=/opt/istio-1.24.6/bin/istioctl`, ExitCode.usage);
  if (path.startsWith('-')) throw new UserError(`${flag} "${value}" is not a path to a binary`, ExitCode.usage);
  return path;
}

/**
 * `--istioctl` as given (repeatable): `PATH` or `MINOR=PATH`. One-line usage errors for a version where a minor is
 * meant, a minor named twice, two bare paths, or an empty path.
 */
export function parseIstioctlPaths(values: readonly string[], flag = '--istioctl'): Pick<ToolPaths, 'istioctl' | 'istioctlByMinor'> {
  let any: string | undefined;
  const byMinor: Record<string, string> = {};
  for (const value of values) {
    const m = PER_MINOR.exec(value);
    if (!m) {
      if (any !== undefined) throw new UserError(`${flag} is given two binaries for every minor ("${any}" and "${value}"): name the minor of each, e.g. ${flag} 1.24=${value}`, ExitCode.usage);
      any = checkedPath(flag, value, value);
      continue;
    }
    const [, minor, path] = m as unknown as [string, string, string];
    if (/^\d+\.\d+\.\d+/.test(minor)) throw new UserError(`${flag} "${value}": name the minor (${minor.split('.').slice(0, 2).join('.')}), not a version: one istioctl serves every patch of its minor`, ExitCode.usage);
    if (!/^1\.\d+$/.test(minor)) throw new UserError(`${flag} "${value}": "${minor}" is not an Istio minor such as 1.24`, ExitCode.usage);
    if (byMinor[minor] !== undefined) throw new UserError(`${flag} names two binaries for ${minor} ("${byMinor[minor]}" and "${path}")`, ExitCode.usage);
    byMinor[minor] = checkedPath(flag, value, path);
  }
  return { ...(any !== undefined ? { istioctl: any } : {}), ...(Object.keys(byMinor).length ? { istioctlByMinor: byMinor } : {}) };
}

/** The run's binaries from the command line (`--helm PATH`, `--istioctl [MINOR=]PATH`…). */
export function toolPathsFrom(flags: { helm?: string; istioctl?: string | readonly string[] }): ToolPaths {
  const istioctl = flags.istioctl === undefined ? [] : typeof flags.istioctl === 'string' ? [flags.istioctl] : flags.istioctl;
  return { ...(flags.helm ? { helm: checkedPath('--helm', flags.helm, flags.helm) } : {}), ...parseIstioctlPaths(istioctl) };
}
