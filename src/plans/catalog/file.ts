// A release catalog read from a file (`--catalog FILE`): the built-in catalog's schema, validated, merged over or
// replacing the built-in data. Imported only when the flag is given, so start-up never evaluates the zod schemas.
import { createHash } from 'node:crypto';
import { load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { ExitCode, UserError } from '../../errors.js';
import { formatZodIssue } from '../../util/zod-errors.js';
import type { CatalogData, CatalogOrigin } from './index.js';
import { CatalogSchema, ReleaseSchema, UpgradePolicySchema, type Release } from './schema.js';

export const CATALOG_FILE_API_VERSION = 'istio-upgrade/v1';

const OneLine = z.string().min(1).refine((s) => !s.includes('\n'), 'must be one line');

export const CatalogFileSchema = z
  .strictObject({
    apiVersion: z.literal(CATALOG_FILE_API_VERSION),
    kind: z.literal('ReleaseCatalog'),
    /** The file's own version label, shown in plans made with it. */
    version: OneLine,
    /** Where the data was taken from (release notes, a tag): shown beside the version. */
    generatedFrom: OneLine,
    /** merge: these releases replace the built-in ones of the same minor and add newer minors. replace: the whole catalog. */
    mode: z.enum(['merge', 'replace']).default('merge'),
    releases: z.array(ReleaseSchema).min(1),
    /** Upgrade policy; optional when merging (the built-in one is kept), required when replacing. */
    policy: UpgradePolicySchema.optional(),
  })
  .refine((f) => f.mode === 'merge' || f.policy !== undefined, { message: 'a catalog with mode: replace needs a policy', path: ['policy'] });
export type CatalogFile = z.infer<typeof CatalogFileSchema>;

const minorNum = (r: Release): number => Number(r.minor.split('.')[1]);

function mergeReleases(builtIn: readonly Release[], own: readonly Release[]): Release[] {
  const byMinor = new Map(builtIn.map((r) => [r.minor, r]));
  for (const r of own) byMinor.set(r.minor, r);
  return [...byMinor.values()].sort((a, b) => minorNum(a) - minorNum(b));
}

/**
 * Parses and validates a catalog file's text. `name` is how the user named the file; every error is one line
 * naming it and the failing path. The result is the complete catalog to plan with and where it came from.
 */
export function readCatalogFile(text: string, name: string, builtIn: CatalogData): { data: CatalogData; origin: CatalogOrigin } {
  const fail = (what: string): never => {
    throw new UserError(`catalog file ${name}: ${what}`, ExitCode.usage);
  };
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    fail(`not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = CatalogFileSchema.safeParse(doc);
  if (!parsed.success) return fail(formatZodIssue(parsed.error));
  const file = parsed.data;
  const releases = file.mode === 'replace' ? file.releases : mergeReleases(builtIn.releases, file.releases);
  const policy = file.policy ?? builtIn.policy;
  const newestKnown = releases[releases.length - 1]!.latestPatch;
  // Whole-catalog rules (consecutive minors, unique note ids, known sameAs) hold only for the merged result.
  const whole = CatalogSchema.safeParse({ newestKnown, generatedFrom: file.generatedFrom, releases, policy });
  if (!whole.success) {
    const within = file.mode === 'merge' ? `merged with the built-in catalog (${builtIn.releases[0]!.minor}–${builtIn.releases[builtIn.releases.length - 1]!.minor})` : 'as a whole catalog';
    fail(`${within}: ${whole.error.issues[0]!.message}`);
  }
  const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
  return {
    data: { releases, newestKnown, policy },
    origin: { version: file.version, source: file.generatedFrom, mode: file.mode, digest },
  };
}
