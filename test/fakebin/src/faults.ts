/**
 * Scripted failures, read from the JSON file named by FAKE_BIN_FAULTS on every call:
 * `{"rules":[{"tool":"helm","match":["upgrade","istio-cni"],"times":1,"exitCode":1,"stderr":"…","hangMs":30000,"after":"apply"}]}`.
 * The first rule whose tool matches and whose `match` elements all occur in argv is taken; `times` counts down
 * (absent = 1, negative = unlimited) and a rule at 0 is removed. The file is rewritten atomically (temp + rename)
 * under a lock directory so parallel calls do not lose a decrement.
 */
import { CliError } from './errors.js';
import { mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';

export interface FaultRule {
  tool?: 'helm' | 'istioctl';
  match?: string[];
  times?: number;
  exitCode?: number;
  stderr?: string;
  stdout?: string;
  hangMs?: number;
  after?: 'before' | 'apply';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5_000) rmdirSync(lock); // stale lock of a killed call
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() - started > 10_000) throw new Error(`fake: cannot lock ${file}`);
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      /* ignore */
    }
  }
}

export function readRules(file: string): FaultRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (!text.trim()) return [];
  let doc: { rules?: FaultRule[] } | FaultRule[];
  try {
    doc = JSON.parse(text) as { rules?: FaultRule[] } | FaultRule[];
  } catch (e) {
    throw new CliError(`fake: cannot parse the fault rules in ${file}: ${(e as Error).message}`, 2);
  }
  return Array.isArray(doc) ? doc : (doc.rules ?? []);
}

export function writeRulesAtomic(file: string, rules: FaultRule[]): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ rules }, null, 2)}\n`);
  renameSync(tmp, file);
}

export function matches(rule: FaultRule, tool: string, argv: string[]): boolean {
  if (rule.tool && rule.tool !== tool) return false;
  return (rule.match ?? []).every((m) => argv.includes(m));
}

/** Takes (and counts down) the first matching rule. */
export function takeFault(file: string | undefined, tool: string, argv: string[]): FaultRule | undefined {
  if (!file) return undefined;
  return withLock(file, () => {
    const rules = readRules(file);
    const i = rules.findIndex((r) => matches(r, tool, argv) && (r.times === undefined || r.times !== 0));
    if (i < 0) return undefined;
    const rule = { ...rules[i]! };
    const times = rule.times ?? 1;
    if (times > 0) {
      if (times - 1 <= 0) rules.splice(i, 1);
      else rules[i] = { ...rules[i]!, times: times - 1 };
      writeRulesAtomic(file, rules);
    }
    return rule;
  });
}
