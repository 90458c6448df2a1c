import type { RunOutcome, Runner, Tool } from './ports.js';

/** How each client tells its own version without contacting the cluster. */
const VERSION_QUERY: Record<Tool, string[]> = { helm: ['version', '--template', '{{.Version}}'], istioctl: ['version', '--remote=false', '-o', 'json'] };

/**
 * Asks each helm and istioctl binary its version once per process: the prerequisite checks (which judge the version)
 * and the attempt record (which keeps it for the audit trail) share the one answer. istioctl is asked per minor, as
 * each minor may be its own binary (--istioctl 1.24=PATH).
 */
export class ClientVersions {
  private readonly asked = new Map<string, Promise<RunOutcome>>();

  constructor(readonly runner: Runner) {}

  /** The outcome of the version query; the first caller's signal and timeout bound the one run. */
  query(tool: Tool, o: { istioMinor?: string | undefined; signal: AbortSignal; timeoutMs: number }): Promise<RunOutcome> {
    const istioMinor = tool === 'istioctl' ? o.istioMinor : undefined;
    const key = `${tool}@${istioMinor ?? ''}`;
    let outcome = this.asked.get(key);
    if (!outcome) {
      outcome = this.runner.run({ tool, args: VERSION_QUERY[tool], timeoutMs: o.timeoutMs, signal: o.signal, ...(istioMinor ? { istioMinor } : {}) });
      this.asked.set(key, outcome);
    }
    return outcome;
  }
}

/** The version a client printed for its query: `v3.17.3` (helm), `1.24.6` (istioctl; older clients print only text). */
export function clientVersionOf(tool: Tool, stdout: string): string | undefined {
  if (tool === 'helm') return stdout.trim() || undefined;
  try {
    return (JSON.parse(stdout) as { clientVersion?: { version?: string } }).clientVersion?.version;
  } catch {
    return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  }
}
