// Schema validation of the whole catalog. Kept out of index.ts so that CLI start-up does not evaluate zod
// schemas; tests import this module directly, index.ts exposes it through a lazy dynamic import.
import { UPGRADE_POLICY } from './policy.js';
import { GENERATED_FROM, NEWEST_KNOWN, RELEASES } from './releases.js';
import { CatalogSchema, type Catalog } from './schema.js';

let cached: Catalog | undefined;

/** Parses the catalog data with the zod schema once; throws a ZodError describing every problem. */
export function validateCatalog(): Catalog {
  cached ??= CatalogSchema.parse({
    newestKnown: NEWEST_KNOWN,
    generatedFrom: GENERATED_FROM,
    releases: RELEASES,
    policy: UPGRADE_POLICY,
  });
  return cached;
}
