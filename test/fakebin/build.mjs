// Bundles src/ (and test/support/istio-render) into .build/fakebin.cjs with esbuild, only when a source is newer
// than the bundle. Plain JavaScript so that the fakes start without a TypeScript loader. CommonJS so that launch.mjs
// can compile it with V8's code cache (vm.Script cachedData; Node 20 has no compile cache for ES modules).
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const bundlePath = join(here, '.build', 'fakebin.cjs');
const sourceDirs = [join(here, 'src'), join(here, '..', 'support', 'istio-render')];

function newestSource() {
  let newest = 0;
  for (const d of sourceDirs) {
    for (const f of readdirSync(d)) {
      if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(d, f)).mtimeMs);
    }
  }
  newest = Math.max(newest, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  return newest;
}

export function isStale() {
  let built = -1;
  try {
    built = statSync(bundlePath).mtimeMs;
  } catch {
    return true;
  }
  return built < newestSource();
}

/** Rebuilds the bundle when stale; returns its path. Safe to call concurrently (temp file + rename). */
export async function ensureBuilt() {
  if (!isStale()) return bundlePath;
  const { build } = await import('esbuild');
  mkdirSync(dirname(bundlePath), { recursive: true });
  const tmp = `${bundlePath}.${process.pid}.${Date.now()}.tmp.cjs`;
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: tmp,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  renameSync(tmp, bundlePath);
  return bundlePath;
}
