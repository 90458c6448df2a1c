import { z } from 'zod';

/**
 * Typed operations: what a helm or istioctl command of a plan does, as fields. Apply, resume and
 * rollback rebuild every argv from these through the one validated builder (./commands.ts); the argv
 * stored beside them is for people, and a plan whose argv differs from its operations is refused.
 */

/**
 * Where charts come from (src/plans/chart-source.ts parses `--chart-repo` into one):
 * a repository URL (`<chart> --repo <url>`), an OCI prefix (`oci://…/<chart>`), a local chart
 * directory, or a `helm repo add` alias (`<alias>/<chart>`).
 */
export const chartSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('repo'), url: z.string() }),
  z.object({ kind: z.literal('oci'), prefix: z.string() }),
  /** `entries`: the directory's file names at plan time, so a packaged `<chart>-<version>.tgz` is preferred. */
  z.object({ kind: z.literal('local'), dir: z.string(), entries: z.array(z.string()) }),
  z.object({ kind: z.literal('alias'), name: z.string() }),
]);
export type ChartSource = z.infer<typeof chartSourceSchema>;

const releaseRef = { release: z.string(), namespace: z.string() };
export const releaseRefSchema = z.object(releaseRef);
export type ReleaseRef = z.infer<typeof releaseRefSchema>;

/**
 * One chart value on the command line, in order: `--set` (Helm types `true`, `1`, `null`), `--set-string`
 * (always a string) or `--set-json` (a JSON value).
 */
export const valueSettingSchema = z.object({ flag: z.enum(['set', 'set-string', 'set-json']), key: z.string(), value: z.string() });
export type ValueSetting = z.infer<typeof valueSettingSchema>;

export const helmValuesSchema = z.object({
  /** Start from this release's values (`helm get values`, fetched at apply time into a private file). */
  reuse: releaseRefSchema.nullable(),
  /** Settings on top, in command-line order. */
  settings: z.array(valueSettingSchema),
  /**
   * The component whose operator overrides (`--set`/`--values`, recorded by key in the plan's `valueOverrides`) go
   * on top of the reused values: a file apply writes from the same flags, never held in the plan.
   */
  overrides: z.string().optional(),
});
export type HelmValues = z.infer<typeof helmValuesSchema>;

const chartFields = { ...releaseRef, chart: z.string(), source: chartSourceSchema, version: z.string(), values: helmValuesSchema };

export const helmOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('install'), ...chartFields, wait: z.boolean() }),
  /** `serverSide: false`: Helm 4 applies client-side (`--server-side=false`) instead of the release's recorded method. */
  z.object({ op: z.literal('upgrade'), ...chartFields, wait: z.boolean(), serverSide: z.literal(false).optional() }),
  z.object({ op: z.literal('uninstall'), ...releaseRef, wait: z.boolean() }),
  /** Back to the revision the run recorded just before the step changed the release: never a number guessed at plan time. */
  z.object({ op: z.literal('rollback'), ...releaseRef, rollbackTo: z.literal('recorded-before'), wait: z.boolean(), serverSide: z.literal(false).optional() }),
  /** Renders objects to stdout for the next API action (`apply-rendered`); changes nothing by itself. */
  z.object({ op: z.literal('template'), ...chartFields, showOnly: z.array(z.string()) }),
]);
export type HelmOperation = z.infer<typeof helmOperationSchema>;
export type HelmChartOperation = Extract<HelmOperation, { chart: string }>;

export const istioctlOperationSchema = z.discriminatedUnion('op', [
  /** `file`: the operator's IstioOperator file, with its sha256 when planned; `set`: `--set key=value`, in order. */
  z.object({ op: z.literal('install'), file: z.object({ path: z.string(), sha256: z.string() }).nullable(), set: z.array(z.object({ key: z.string(), value: z.string() })) }),
  z.object({ op: z.literal('uninstall'), revision: z.string() }),
  z.object({ op: z.literal('tag-set'), tag: z.string(), revision: z.string() }),
  z.object({ op: z.literal('precheck'), fromVersion: z.string() }),
]);
export type IstioctlOperation = z.infer<typeof istioctlOperationSchema>;

/** Helm operations that change a release, and so add or remove Helm revisions of it. */
export function changesRelease(op: HelmOperation): boolean {
  return op.op !== 'template';
}
