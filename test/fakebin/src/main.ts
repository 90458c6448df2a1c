/**
 * Entry of the fake `helm` and `istioctl`: records the call, applies scripted faults, runs the command against the
 * fake API server and exits the way the real binary would.
 *
 * Configuration (environment first, then `$HOME/.fakebin.json` — the product gives its children a fresh environment
 * that keeps HOME but drops unknown variables):
 *   FAKE_BIN_LOG      append one JSON line per call               (json: "log")
 *   FAKE_BIN_FAULTS   fault rules file, see faults.ts              (json: "faults")
 *   FAKE_BIN_FAIL_ALL=1  every call fails                          (json: "failAll": true)
 *   FAKE_ISTIOCTL_VERSION, FAKE_HELM_VERSION                        (json: "env": {…})
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { takeFault, type FaultRule } from './faults.js';
import { helm } from './helm.js';
import { istioctl } from './istioctl.js';
import { contextName, kubeconfigFiles } from './kubeconfig.js';
import type { AfterApplyHooks, Runtime } from './runtime.js';

type Tool = 'helm' | 'istioctl';

interface FileConfig {
  log?: string;
  faults?: string;
  failAll?: boolean;
  env?: Record<string, string>;
}

function fileConfig(env: NodeJS.ProcessEnv): FileConfig {
  if (!env.HOME) return {};
  try {
    return JSON.parse(readFileSync(join(env.HOME, '.fakebin.json'), 'utf8')) as FileConfig;
  } catch {
    return {};
  }
}

const VALUES_FLAGS: Record<Tool, { long: string[]; short: string[] }> = {
  helm: { long: ['--values'], short: ['-f'] },
  istioctl: { long: ['--filename'], short: ['-f'] },
};

function hashFile(path: string): string {
  try {
    return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  } catch {
    return 'sha256:unreadable';
  }
}

/** argv with every values file replaced by the hash of its content. */
export function redactArgv(tool: Tool, args: string[]): { argv: string[]; valuesFiles: string[] } {
  const { long, short } = VALUES_FLAGS[tool];
  const out: string[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eqLong = long.find((l) => a.startsWith(`${l}=`));
    if (long.includes(a) || short.includes(a)) {
      out.push(a);
      if (i + 1 < args.length) {
        const h = hashFile(args[++i]!);
        hashes.push(h);
        out.push(h);
      }
    } else if (eqLong) {
      const h = hashFile(a.slice(eqLong.length + 1));
      hashes.push(h);
      out.push(`${eqLong}=${h}`);
    } else if (short.some((s) => a.startsWith(s) && a.length > s.length && !a.startsWith('--'))) {
      const s = short.find((x) => a.startsWith(x))!;
      const h = hashFile(a.slice(s.length).replace(/^=/, ''));
      hashes.push(h);
      out.push(`${s}${h}`);
    } else out.push(a);
  }
  return { argv: [tool, ...out], valuesFiles: hashes };
}

function flagValue(args: string[], name: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) v = args[i + 1];
    else if (args[i]!.startsWith(`${name}=`)) v = args[i]!.slice(name.length + 1);
  }
  return v;
}

function record(file: string, tool: Tool, args: string[], env: NodeJS.ProcessEnv): void {
  const { argv, valuesFiles } = redactArgv(tool, args);
  const kubeconfigFlag = flagValue(args, '--kubeconfig');
  const files = kubeconfigFiles(env, kubeconfigFlag);
  const selected: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (k === 'KUBECONFIG' || k === 'HOME' || k === 'PATH' || k.startsWith('HELM_'))) selected[k] = v;
  }
  const line = {
    tool,
    argv,
    cwd: process.cwd(),
    kubeconfig: kubeconfigFlag ?? env.KUBECONFIG ?? null,
    context: contextName(files, flagValue(args, tool === 'helm' ? '--kube-context' : '--context')) ?? null,
    env: selected,
    valuesFiles,
    pid: process.pid,
    time: new Date().toISOString(),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

class FaultExit extends Error {
  constructor(readonly rule: FaultRule) {
    super('fault');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The rule's stderr as Helm would store it in a failed release's description. */
function faultMessage(rule: FaultRule): string {
  return (rule.stderr ?? 'fake failure').trim().split('\n')[0]!.replace(/^Error:\s*/, '').replace(/^[A-Z][A-Z ]+ FAILED:\s*/, '');
}

export async function main(tool: Tool, args: string[]): Promise<void> {
  const cfg = fileConfig(process.env);
  const env: NodeJS.ProcessEnv = { ...(cfg.env ?? {}), ...process.env };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const flush = (): void => {
    if (stdout.length) process.stdout.write(stdout.join(''));
    if (stderr.length) process.stderr.write(stderr.join(''));
    stdout.length = 0;
    stderr.length = 0;
  };
  const exit = (code: number): never => {
    flush();
    process.exit(code);
  };
  const nl = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);

  const logFile = env.FAKE_BIN_LOG || cfg.log;
  if (logFile) record(logFile, tool, args, env);
  if (env.FAKE_BIN_FAIL_ALL === '1' || cfg.failAll) {
    stderr.push(`Error: fake ${tool} is broken (FAKE_BIN_FAIL_ALL)\n`);
    exit(1);
  }
  const rule = takeFault(env.FAKE_BIN_FAULTS || cfg.faults, tool, [tool, ...args]);
  if (rule && (rule.after ?? 'before') === 'before') {
    if (rule.hangMs) await sleep(rule.hangMs);
    if ((rule.exitCode ?? 1) !== 0) {
      if (rule.stdout) stdout.push(nl(rule.stdout));
      stderr.push(nl(rule.stderr ?? `Error: fake ${tool} failure`));
      exit(rule.exitCode ?? 1);
    }
  }
  let afterApplyUsed = false;
  const applyRule = rule && rule.after === 'apply' ? rule : undefined;
  const afterApply = async (hooks: AfterApplyHooks = {}): Promise<void> => {
    afterApplyUsed = true;
    if (!applyRule) return;
    if (applyRule.hangMs) await sleep(applyRule.hangMs);
    if ((applyRule.exitCode ?? 1) === 0) return;
    await hooks.onFail?.(faultMessage(applyRule));
    throw new FaultExit(applyRule);
  };
  const onCancel = (handler: () => Promise<void>): void => {
    process.removeAllListeners('SIGTERM');
    process.once('SIGTERM', () => {
      handler().then(
        () => exit(1),
        () => exit(1),
      );
    });
  };
  const rt: Runtime = { tool, env, out: (t) => stdout.push(t), err: (t) => stderr.push(t), afterApply, onCancel };
  try {
    await (tool === 'helm' ? helm(rt, args) : istioctl(rt, args));
    if (applyRule && !afterApplyUsed) await afterApply({});
    exit(0);
  } catch (e) {
    if (e instanceof FaultExit) {
      if (e.rule.stdout) stdout.push(nl(e.rule.stdout));
      stderr.push(nl(e.rule.stderr ?? `Error: fake ${tool} failure`));
      exit(e.rule.exitCode ?? 1);
    }
    if (e instanceof CliError) {
      const msg = e.message === 'Cancelled.' || e.message.startsWith('Error') ? e.message : `Error: ${e.message}`;
      stderr.push(nl(msg));
      exit(e.exitCode);
    }
    stderr.push(`fake ${tool}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exit(70);
  }
}
