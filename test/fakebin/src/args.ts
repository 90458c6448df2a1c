/**
 * Cobra-style flag parsing, order-independent: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, repeated flags,
 * boolean flags with optional `=true|false`, `--` ending the flags. An unknown flag is an error, as in cobra.
 */
import { CliError } from './errors.js';

export interface FlagSpec {
  /** Flags taking a value, long names without dashes (`namespace`) or one-letter short names (`n`). */
  values: string[];
  /** Boolean flags. */
  bools: string[];
  /** short/alias → canonical long name. */
  aliases?: Record<string, string>;
  /**
   * Flags whose value is optional (pflag's NoOptDefVal): `--wait` alone takes the default given here, a value needs
   * `--wait=value` (`--wait value` is the flag alone followed by a positional, as in cobra).
   */
  optional?: Record<string, string>;
}

export interface Parsed {
  positionals: string[];
  /** Canonical name → values in command-line order. */
  values: Map<string, string[]>;
  bools: Map<string, boolean>;
  /** Every flag in command-line order (canonical name, value) — `--set`/`--values` order matters to Helm. */
  order: { name: string; value: string }[];
}

export function parseArgs(args: string[], spec: FlagSpec, tool: string): Parsed {
  const values = new Set(spec.values);
  const bools = new Set(spec.bools);
  const alias = spec.aliases ?? {};
  const optional = spec.optional ?? {};
  const canon = (n: string): string => alias[n] ?? n;
  const out: Parsed = { positionals: [], values: new Map(), bools: new Map(), order: [] };
  const addValue = (name: string, v: string): void => {
    const list = out.values.get(name) ?? [];
    list.push(v);
    out.values.set(name, list);
    out.order.push({ name, value: v });
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const raw = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const name = canon(raw);
      if (optional[name] !== undefined) {
        addValue(name, eq >= 0 ? a.slice(eq + 1) : optional[name]);
      } else if (values.has(name)) {
        if (eq >= 0) addValue(name, a.slice(eq + 1));
        else {
          if (i + 1 >= args.length) throw new CliError(`flag needs an argument: --${raw}`);
          addValue(name, args[++i]!);
        }
      } else if (bools.has(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : 'true';
        if (v !== 'true' && v !== 'false') throw new CliError(`invalid argument "${v}" for "--${raw}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
        out.bools.set(name, v === 'true');
        out.order.push({ name, value: v });
      } else {
        throw new CliError(`unknown flag: --${raw}\nRun '${tool} --help' for usage.`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && a !== '-') {
      // -n value, -nvalue, -n=value, -y, -A
      const short = a[1]!;
      const name = canon(short);
      if (values.has(name) || values.has(short)) {
        const key = values.has(name) ? name : short;
        let v = a.slice(2);
        if (v.startsWith('=')) v = v.slice(1);
        if (v === '') {
          if (i + 1 >= args.length) throw new CliError(`flag needs an argument: '${short}' in -${short}`);
          v = args[++i]!;
        }
        addValue(key, v);
      } else if (bools.has(name) || bools.has(short)) {
        if (a.length > 2) throw new CliError(`unknown shorthand flag: '${a[2]}' in ${a}\nRun '${tool} --help' for usage.`);
        const key = bools.has(name) ? name : short;
        out.bools.set(key, true);
        out.order.push({ name: key, value: 'true' });
      } else {
        throw new CliError(`unknown shorthand flag: '${short}' in ${a}\nRun '${tool} --help' for usage.`);
      }
      continue;
    }
    out.positionals.push(a);
  }
  return out;
}

export function last(p: Parsed, name: string): string | undefined {
  const v = p.values.get(name);
  return v && v.length ? v[v.length - 1] : undefined;
}

export function all(p: Parsed, name: string): string[] {
  return p.values.get(name) ?? [];
}

export function flag(p: Parsed, name: string): boolean {
  return p.bools.get(name) ?? false;
}
