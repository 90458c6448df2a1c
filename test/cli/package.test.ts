import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';

// The package as a user gets it: packed from a copy of the sources (so `prepack` builds its own dist/ and the
// dist/ the other tests run is left alone), installed globally into an empty prefix with no registry access,
// then run from a directory with no node_modules anywhere above it.
const work = mkdtempSync(join(tmpdir(), 'iu-pack-'));
const npmEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
const npm = (args: string[], cwd: string) => execa('npm', args, { cwd, env: npmEnv, extendEnv: false, timeout: 120_000 });

async function packFromSources(): Promise<string> {
  const src = join(work, 'src-copy');
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'scripts', 'src']) cpSync(join(repoRoot, entry), join(src, entry), { recursive: true });
  symlinkSync(realpathSync(join(repoRoot, 'node_modules')), join(src, 'node_modules'));
  const packed = await npm(['pack', '--json', '--pack-destination', work], src);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  return join(work, info!.filename);
}

describe('the packed package', () => {
  it('builds on pack, installs globally with no dependencies, and its bin runs --version and status', async () => {
    const tarball = await packFromSources();
    const listing = (await execa('tar', ['tzf', tarball])).stdout.split('\n');
    expect(listing).toContain('package/dist/istio-upgrade.js');
    expect(listing.some((f) => /^package\/dist\/chunks\/.+\.js\.map$/.test(f))).toBe(true);
    expect(listing.filter((f) => /^package\/(src|test|fixtures|scripts)\//.test(f))).toEqual([]);

    const prefix = join(work, 'prefix');
    await npm(['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], work);
    const installed = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'istio-upgrade', 'package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});
    expect(readdirSync(join(prefix, 'lib', 'node_modules'))).toEqual(['istio-upgrade']);

    const bin = join(prefix, 'bin', 'istio-upgrade');
    const runEnv = { PATH: `${join(prefix, 'bin')}:${npmEnv.PATH}`, HOME: work, NO_COLOR: '1', COLUMNS: '80' };
    const version = await execa('istio-upgrade', ['--version'], { cwd: work, env: runEnv, extendEnv: false });
    expect(version.stdout).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    const status = await execa(bin, ['status', '--snapshot', fixturePath('ambient-helm-1.23')], { cwd: work, env: runEnv, extendEnv: false });
    expect(status.stdout).toMatch(/^Cluster {2}prod-eu-ambient · Kubernetes 1\.30\.10/);
    expect(status.stdout).toContain('ztunnel');

    // npx takes a tarball given as a relative path (./x.tgz), as a user types it next to the downloaded file.
    const npx = await execa('npx', ['--yes', '--offline', `./${basename(tarball)}`, '--version'], { cwd: work, env: npmEnv, extendEnv: false, timeout: 120_000 });
    expect(npx.stdout.trim()).toBe(version.stdout);
  }, 240_000);
});
