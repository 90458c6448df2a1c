import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { buildChildEnv } from './child-env.js';
import type { LogSink, RunOutcome, RunRequest, Runner, Tool } from './ports.js';
import { sweepStaleValues, withValuesFiles, type PrivateValues } from './values-file.js';
import { overridesPlaceholderComponent, valuesPlaceholder } from '../plan/placeholders.js';
import { binaryFor, type ToolPaths } from './tool-paths.js';

export interface ExecaRunnerOptions {
  /** Explicit binaries (--helm, --istioctl); otherwise looked up on PATH. */
  paths: ToolPaths;
  context: string;
  kubeconfigFiles: string[];
  /** The caller's environment, filtered by buildChildEnv. */
  callerEnv: NodeJS.ProcessEnv;
  /** After a timeout or Ctrl-C the child gets SIGTERM, then SIGKILL after this long. */
  graceMs?: number;
  /** Where Helm values live while a command reads them (private to the user); the system temp directory otherwise. */
  scratchDir?: string;
  /** The operator's value overrides as YAML per component, for `<overrides-of:COMPONENT>` arguments. */
  overrides?: ReadonlyMap<string, string>;
}

const VALUES_TIMEOUT_MS = 120_000;

/**
 * Flags a plan's argv may never carry: the cluster and credentials are ours (appended below), and
 * nothing read from a document may make helm run a program (`--post-renderer`).
 */
const FOREIGN_FLAG = /^--(kube[-a-z]*|kubeconfig|context|post-renderer[-a-z]*)(=|$)/;
const ABANDONED = Symbol('abandoned');
const OUTPUT_WAIT_MS = 1_000;
/** The end of a failed command's output kept for the person (a precheck's findings); the whole of it is in run.log. */
const OUTPUT_KEPT = 4_000;

/**
 * execa resolves only when the child's output pipes close. A descendant that outlives a killed
 * child (a shell's background job, a plugin) can hold them open for ever, so after a cancel or
 * timeout we wait for the child itself to exit and then only briefly for its output.
 */
function abandonAfterExit(sub: ChildProcess, signal: AbortSignal, timeoutMs: number): { abandoned: Promise<typeof ABANDONED>; dispose: () => void } {
  let exited = sub.exitCode !== null || sub.signalCode !== null;
  const onExit = () => {
    exited = true;
  };
  sub.once('exit', onExit);
  let timer: NodeJS.Timeout | undefined;
  let giveUp: () => void = () => undefined;
  const abandoned = new Promise<typeof ABANDONED>((resolve) => {
    giveUp = () => {
      clearTimeout(timer);
      const later = () => setTimeout(() => resolve(ABANDONED), OUTPUT_WAIT_MS).unref();
      if (exited) later();
      else sub.once('exit', later);
    };
  });
  if (signal.aborted) giveUp();
  else signal.addEventListener('abort', giveUp, { once: true });
  timer = setTimeout(giveUp, timeoutMs).unref();
  return {
    abandoned,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
      sub.off('exit', onExit);
    },
  };
}

/** Runs helm and istioctl: argv arrays only (never a shell), a private environment, bounded in time. */
export class ExecaRunner implements Runner {
  private readonly env: Record<string, string>;
  private readonly graceMs: number;
  private swept: Promise<unknown> | undefined;

  constructor(private readonly opts: ExecaRunnerOptions) {
    this.env = buildChildEnv(opts.callerEnv, opts.kubeconfigFiles);
    this.graceMs = opts.graceMs ?? 10_000;
  }

  childEnv(): Record<string, string> {
    return { ...this.env };
  }

  private binary(tool: Tool, istioMinor?: string): string {
    return binaryFor(this.opts.paths, tool, istioMinor) ?? tool;
  }

  async available(tool: Tool, istioMinor?: string): Promise<boolean> {
    const explicit = binaryFor(this.opts.paths, tool, istioMinor);
    const candidates = explicit ? [explicit] : (this.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, tool));
    for (const c of candidates) {
      if (await access(c, constants.X_OK).then(() => true, () => false)) return true;
    }
    return false;
  }

  /** The context always comes from us, so a plan cannot act on another cluster. */
  private withContext(tool: Tool, args: string[]): string[] {
    return [...args, tool === 'helm' ? '--kube-context' : '--context', this.opts.context];
  }

  display(tool: Tool, args: string[]): string[] {
    return [this.binary(tool), ...this.withContext(tool, args)];
  }

  async helmValues(release: string, namespace: string, signal: AbortSignal): Promise<string> {
    const r = await this.exec('helm', ['get', 'values', release, '-n', namespace, '-o', 'yaml'], VALUES_TIMEOUT_MS, signal, undefined);
    if (!r.ok) throw new Error(`cannot read the values of Helm release ${namespace}/${release}: ${r.message}`);
    return r.stdout;
  }

  /** The private files a command's placeholder arguments stand for: a release's values, the operator's overrides. */
  private valuesFiles(req: RunRequest): PrivateValues[] | string {
    const files: PrivateValues[] = [];
    const from = req.valuesFrom;
    if (from) files.push({ token: valuesPlaceholder(from.namespace, from.release), name: `${from.namespace}-${from.release}.yaml`, content: () => this.helmValues(from.release, from.namespace, req.signal) });
    for (const arg of req.args) {
      const component = overridesPlaceholderComponent(arg);
      if (component === undefined) continue;
      const text = this.opts.overrides?.get(component);
      if (text === undefined) return `${req.tool} ${req.args[0] ?? ''} takes value overrides of ${component}, which this run was not given (the --set/--values the plan was made with)`;
      files.push({ token: arg, name: `overrides-${component.replace('/', '-')}.yaml`, content: async () => text });
    }
    return files;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const files = this.valuesFiles(req);
    if (typeof files === 'string') return { ok: false, reason: 'failed', message: files };
    if (files.length) {
      const scratch = this.opts.scratchDir;
      try {
        if (scratch) await (this.swept ??= sweepStaleValues(scratch));
        return await withValuesFiles(req.args, files, (args) => this.exec(req.tool, args, req.timeoutMs, req.signal, req.log, req.istioMinor), scratch);
      } catch (e) {
        return { ok: false, reason: req.signal.aborted ? 'cancelled' : 'failed', message: (e as Error).message };
      }
    }
    return this.exec(req.tool, req.args, req.timeoutMs, req.signal, req.log, req.istioMinor);
  }

  /** `log` undefined means the output must not be written anywhere (Helm values). */
  private async exec(tool: Tool, rawArgs: string[], timeoutMs: number, signal: AbortSignal, log: LogSink | undefined, istioMinor?: string): Promise<RunOutcome> {
    const foreign = rawArgs.find((a) => FOREIGN_FLAG.test(a));
    if (foreign) return { ok: false, reason: 'failed', message: `refusing to run ${tool} ${rawArgs[0] ?? ''}: the plan's command carries ${foreign.split('=')[0]}, which only istio-upgrade itself may set (or never, for a program helm would run)` };
    const bin = this.binary(tool, istioMinor);
    const args = this.withContext(tool, rawArgs);
    const shown = [bin, ...args].join(' ');
    log?.(`\n$ ${shown}\n`);
    const sub = execa(bin, args, {
      env: this.env,
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: Math.max(1, timeoutMs),
      forceKillAfterDelay: this.graceMs,
      cancelSignal: signal,
      maxBuffer: 512 * 1024 * 1024,
    });
    const watch = abandonAfterExit(sub, signal, timeoutMs);
    const r = await Promise.race([sub, watch.abandoned]).finally(watch.dispose);
    if (r === ABANDONED) {
      // Our ends of its pipes would otherwise keep this process alive until the descendant exits.
      sub.stdout?.destroy();
      sub.stderr?.destroy();
      log?.(`[stopped waiting: the command exited but something it started still holds its output open]\n`);
      return signal.aborted
        ? { ok: false, reason: 'cancelled', message: `${tool} ${rawArgs[0] ?? ''} was cancelled` }
        : { ok: false, reason: 'timeout', message: `${tool} ${rawArgs[0] ?? ''} timed out after ${Math.round(timeoutMs / 1000)}s` };
    }
    if (log) {
      if (r.stdout) log(`${r.stdout}\n`);
      if (r.stderr) log(`[stderr] ${r.stderr.replace(/\n/g, '\n[stderr] ')}\n`);
      log(`[exit ${r.exitCode ?? r.signal ?? r.code ?? '?'}]\n`);
    }
    if (!r.failed) return { ok: true, stdout: String(r.stdout ?? '') };
    if (r.code === 'ENOENT') {
      const explicit = binaryFor(this.opts.paths, tool, istioMinor);
      return { ok: false, reason: 'not-found', message: explicit ? `${tool} not found at ${explicit}` : `${tool} not found on PATH (or pass --${tool})` };
    }
    if (r.isCanceled) return { ok: false, reason: 'cancelled', message: `${tool} ${rawArgs[0] ?? ''} was cancelled` };
    if (r.timedOut) return { ok: false, reason: 'timeout', message: `${tool} ${rawArgs[0] ?? ''} timed out after ${Math.round(timeoutMs / 1000)}s` };
    const last = String(r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? r.shortMessage ?? 'failed';
    const output = [String(r.stdout ?? '').trim(), String(r.stderr ?? '').trim()].filter(Boolean).join('\n').slice(-OUTPUT_KEPT);
    return {
      ok: false,
      reason: 'failed',
      message: `${tool} ${rawArgs[0] ?? ''} exited with ${r.exitCode ?? r.signal}: ${last}`,
      ...(output ? { output } : {}),
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode, stdout: String(r.stdout ?? '') } : {}),
    };
  }
}
