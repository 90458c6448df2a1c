import { z } from 'zod';

/**
 * `istioctl analyze` before and after a run, when istioctl is available: read-only, reported with the run, never a
 * reason by itself to stop it. Messages the upgrade introduced are the interesting part, so the two analyses are
 * compared by code, resource and text.
 */

/** One message of `istioctl analyze -o json` (istio/istio pkg/config/analysis/diag/message.go, `Unstructured`). */
export const analyzeMessageSchema = z.object({
  code: z.string(),
  level: z.enum(['Error', 'Warning', 'Info']),
  message: z.string(),
  origin: z.string().optional(),
  reference: z.string().optional(),
  documentationUrl: z.string().optional(),
});
export type AnalyzeMessage = z.infer<typeof analyzeMessageSchema>;

/** The narrow port this check needs: whether istioctl can run, and one istioctl invocation's exit code and output. */
export interface AnalyzeRunner {
  available(): Promise<boolean>;
  run(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

export const analyzeResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('skipped'), reason: z.string() }),
  z.object({ status: z.literal('failed'), reason: z.string() }),
  z.object({ status: z.literal('ran'), messages: z.array(analyzeMessageSchema) }),
]);
export type AnalyzeResult = z.infer<typeof analyzeResultSchema>;

/**
 * istioctl exits 0 when no message reaches the failure threshold (Error by default) and 79 when one does
 * (istio/istio istioctl/cmd/sysexits.go, ExitAnalyzerFoundIssues); both print the messages. Anything else failed.
 */
const FOUND_ISSUES = 79;

/** argv after `istioctl`: every namespace, as JSON, against the revision whose view matters (before: old, after: new). */
export function analyzeArgs(revision: string | null, istioNamespace: string): string[] {
  return ['analyze', '--all-namespaces', '--output', 'json', '--istioNamespace', istioNamespace, ...(revision && revision !== 'default' ? ['--revision', revision] : [])];
}

export function parseAnalyzeOutput(stdout: string): AnalyzeMessage[] | string {
  const text = stdout.trim();
  if (!text) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return `istioctl analyze printed something other than JSON: ${text.slice(0, 120)}`;
  }
  const parsed = z.array(analyzeMessageSchema).safeParse(doc ?? []);
  return parsed.success ? parsed.data : `istioctl analyze printed JSON of an unexpected shape (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`;
}

export async function runAnalyze(runner: AnalyzeRunner, revision: string | null, istioNamespace: string): Promise<AnalyzeResult> {
  if (!(await runner.available())) return { status: 'skipped', reason: 'istioctl not found' };
  const out = await runner.run(analyzeArgs(revision, istioNamespace));
  if (out.exitCode !== 0 && out.exitCode !== FOUND_ISSUES) {
    return { status: 'failed', reason: `istioctl analyze exited ${out.exitCode}: ${(out.stderr.trim().split('\n').at(-1) ?? '').slice(0, 200)}` };
  }
  const messages = parseAnalyzeOutput(out.stdout);
  return typeof messages === 'string' ? { status: 'failed', reason: messages } : { status: 'ran', messages };
}

const keyOf = (m: AnalyzeMessage) => `${m.code}\0${m.origin ?? ''}\0${m.message}`;

export interface AnalyzeComparison {
  /** Found after the run and not before. */
  introduced: AnalyzeMessage[];
  /** Found before the run and gone after. */
  resolved: AnalyzeMessage[];
  unchanged: number;
}

export function compareAnalyses(before: AnalyzeMessage[], after: AnalyzeMessage[]): AnalyzeComparison {
  const was = new Set(before.map(keyOf));
  const is = new Set(after.map(keyOf));
  return {
    introduced: after.filter((m) => !was.has(keyOf(m))),
    resolved: before.filter((m) => !is.has(keyOf(m))),
    unchanged: after.filter((m) => was.has(keyOf(m))).length,
  };
}

/** `Error [IST0101] (VirtualService httpbin.default) Referenced gateway not found`, as istioctl prints it. */
export function formatAnalyzeMessage(m: AnalyzeMessage): string {
  return `${m.level} [${m.code}]${m.origin ? ` (${m.origin})` : ''} ${m.message}`;
}

/** Lines for the run report: what the upgrade changed in istioctl analyze's view of the mesh. */
export function describeComparison(before: AnalyzeResult, after: AnalyzeResult): string[] {
  const state = (r: AnalyzeResult, when: string) => (r.status === 'ran' ? null : `istioctl analyze ${when}: ${r.status}: ${r.reason}`);
  if (before.status !== 'ran' && after.status === before.status && after.reason === before.reason) return [`istioctl analyze: ${after.status}: ${after.reason}`];
  const notRun = [state(before, 'before'), state(after, 'after')].filter((x): x is string => x !== null);
  if (before.status !== 'ran' || after.status !== 'ran') {
    return [...notRun, ...(after.status === 'ran' ? after.messages.filter((m) => m.level !== 'Info').map((m) => `after: ${formatAnalyzeMessage(m)}`) : [])];
  }
  const c = compareAnalyses(before.messages, after.messages);
  if (!c.introduced.length && !c.resolved.length) return [`istioctl analyze: no change (${c.unchanged} message(s) before and after)`];
  return [
    `istioctl analyze: ${c.introduced.length} new message(s), ${c.resolved.length} resolved, ${c.unchanged} unchanged`,
    ...c.introduced.map((m) => `new: ${formatAnalyzeMessage(m)}`),
    ...c.resolved.map((m) => `resolved: ${formatAnalyzeMessage(m)}`),
  ];
}
