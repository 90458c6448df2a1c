import { readFileSync, statSync } from 'node:fs';
import { ExitCode, UserError } from '../errors.js';
import { builtInCatalog, useCatalog, type CatalogOrigin } from '../plans/catalog/index.js';
import type { Plan } from '../plan/schema.js';

/**
 * `--catalog FILE`: reads and validates a release catalog file and makes the planner use it for the rest of the
 * process. Without the flag the built-in catalog stays in use. The loader (and zod) is imported only when needed.
 */
export async function useCatalogFile(path: string | undefined): Promise<CatalogOrigin | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`--catalog ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.usage);
  }
  const { readCatalogFile } = await import('../plans/catalog/file.js');
  const { data, origin } = readCatalogFile(text, path, builtInCatalog());
  useCatalog(data, origin);
  return origin;
}

/** Every plan made with a catalog file says so, in every format: its data did not ship with this version of the tool. */
export function catalogFileWarning(path: string, origin: CatalogOrigin): { id: string; message: string; source: string } {
  const how = origin.mode === 'merge' ? 'merged over the built-in catalog' : 'replacing the built-in catalog';
  return {
    id: 'catalog-file',
    message: `planned with the release catalog file ${path} (version ${origin.version}, ${how}), not only with the catalog built into this version of istio-upgrade`,
    source: origin.source,
  };
}

/**
 * apply: a plan made with `--catalog FILE` runs only with a file of the same digest, loaded as the planner loaded it,
 * so whatever apply reads from the catalog is what the plan was made with; a plan of the built-in catalog takes none.
 */
export async function useCatalogOfPlan(plan: Plan, path: string | undefined): Promise<CatalogOrigin | undefined> {
  const id = plan.metadata.id;
  const recorded = plan.metadata.catalog;
  const refuse = (message: string) => new UserError(message, ExitCode.blocked);
  if (!recorded) {
    if (plan.warnings.some((w) => w.id === 'catalog-file')) throw refuse(`plan ${id} was made with a release catalog file but records no digest of it (an older istio-upgrade); plan again`);
    if (path !== undefined) throw refuse(`--catalog ${path}: plan ${id} was made with the built-in release catalog; apply it without --catalog`);
    return undefined;
  }
  if (path === undefined) throw refuse(`plan ${id} was made with the release catalog file version ${recorded.version} (${recorded.digest}): give apply the same file with --catalog FILE`);
  const origin = (await useCatalogFile(path))!;
  if (origin.digest !== recorded.digest) throw refuse(`--catalog ${path}: its content (${origin.digest}) is not the catalog file plan ${id} was made with (version ${recorded.version}, ${recorded.digest}); give the same file or plan again`);
  return origin;
}
