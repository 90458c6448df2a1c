import { ExitCode, UserError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `1d`, `1h30m` → milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (!s || matched !== s.length || total <= 0) {
    throw new UserError(`${flag} must be a duration such as 90s, 30m, 2h or 1d, got "${text}"`, ExitCode.usage);
  }
  return total;
}

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer one fires at once and would stop every command. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration that becomes a timer: also refused when Node cannot wait that long. */
export function parseTimerDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms >= MAX_TIMER_MS) throw new UserError(`${flag} ${text} is too long: the limit is 24d (Node's timers cannot wait longer)`, ExitCode.usage);
  return ms;
}

/** 12345 → `12.3s`, 95000 → `1m35s`, 7260000 → `2h1m`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const sec = totalS % 60;
  return h ? `${h}h${m}m` : `${m}m${sec}s`;
}
