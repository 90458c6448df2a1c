import { readFileSync, statSync } from 'node:fs';
import { ExitCode, UserError } from '../errors.js';
import { builtInCatalog, useCatalog, type CatalogOrigin } from '../plans/catalog/index.js';

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
