/**
 * `npm run bench`: `status` against synthetic clusters of 1k / 10k / 50k pods, beside the floor
 * (raw paginated GET + JSON.parse of every pod) measured in the same run, and `--version` start-up
 * beside `node -e 0`. Prints a table and writes bench-results/latest.json.
 *
 * Every measured thing is a fresh child process; the fake API server runs in its own process
 * (scripts/bench/server.ts) and reports request counts on a control port.
 *
 * Before every measured run the server's request log is cleared and a full GC is run in the server, so a
 * major GC of its ~1.3 GB heap (50k) never lands inside one run (it did, adding ~1 s of noise).
 *
 * Options: --sizes 1k,10k,50k   --reps N (default 5)   --startup-reps N (default 10)
 *          --cli PATH (the CLI build under test; default dist/istio-upgrade.js)
 *          --compare PATH (a second CLI build, e.g. with a proposed fix, measured in the same interleaved reps)
 *          --keep (keep the temp dir)   --cpu-prof DIR (also write one `node --cpu-prof` profile of status per size)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeSyntheticCluster, type SyntheticStats } from './bench/synthetic.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_SRC = resolve(flagValue('--cli') ?? join(ROOT, 'dist', 'istio-upgrade.js'));
const COMPARE_SRC = flagValue('--compare') ? resolve(flagValue('--compare')!) : undefined;
// The builds under test are copied to the temp dir first (the bundle is self-contained), so a concurrent
// `npm run build` in the same tree cannot pull dist/ away in the middle of a run.
let CLI = CLI_SRC;
let COMPARE = COMPARE_SRC;
const PRELOAD = join(ROOT, 'scripts', 'bench', 'maxrss-preload.mjs');
const SERVER = join(ROOT, 'scripts', 'bench', 'server.ts');
const TOKEN = 'test-token';
const NODE = process.execPath;

interface Size {
  label: string;
  pods: number;
  namespaces: number;
}
const SIZES: Size[] = [
  { label: '1k', pods: 1_000, namespaces: 50 },
  { label: '10k', pods: 10_000, namespaces: 500 },
  { label: '50k', pods: 50_000, namespaces: 2_000 },
];

// ---------------------------------------------------------------- args

function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const wanted = (flagValue('--sizes') ?? SIZES.map((s) => s.label).join(',')).split(',');
const REPS = Number(flagValue('--reps') ?? 5);
const STARTUP_REPS = Number(flagValue('--startup-reps') ?? 10);
const KEEP = process.argv.includes('--keep');
const CPU_PROF = flagValue('--cpu-prof');

// ---------------------------------------------------------------- helpers

const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const medianSpan = (spans: ([number, number] | null)[]): [number, number] | null => {
  const ok = spans.filter((x): x is [number, number] => x !== null);
  return ok.length ? [median(ok.map((x) => x[0])), median(ok.map((x) => x[1]))] : null;
};
const medianOrNull = (xs: (number | null)[]): number | null => {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length ? median(ok) : null;
};
const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

interface Run {
  /** Date.now() just before spawn */
  spawnedAt: number;
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns and times a process from spawn() to its exit. stdout: 'ignore' (= /dev/null), 'pipe', or a file path. */
function run(cmd: string, args: string[], opts: { stdout?: 'ignore' | 'pipe' | string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const out = opts.stdout ?? 'ignore';
  const fd = out !== 'ignore' && out !== 'pipe' ? openSync(out, 'w') : undefined;
  return new Promise((resolveRun, reject) => {
    let stdout = '';
    let stderr = '';
    const spawnedAt = Date.now();
    const t0 = performance.now();
    const stdoutTo: 'ignore' | 'pipe' | number = fd ?? (out === 'pipe' ? 'pipe' : 'ignore');
    const child: ChildProcess = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? process.env, stdio: ['ignore', stdoutTo, 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code: number | null) => {
      const ms = performance.now() - t0;
      if (fd !== undefined) closeSync(fd);
      // let the pipes drain before resolving
      setImmediate(() => resolveRun({ spawnedAt, ms, code, stdout, stderr }));
    });
  });
}

/** Runs a node script under the maxRSS preload; returns wall time and peak RSS (KiB). */
async function runMeasured(args: string[], rssFile: string, stdout: 'ignore' | 'pipe' | string = 'ignore'): Promise<Run & { rssKb: number }> {
  rmSync(rssFile, { force: true });
  const r = await run(NODE, ['--import', PRELOAD, ...args], { stdout, env: { ...process.env, BENCH_RSS_FILE: rssFile } });
  if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
  const rssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : NaN;
  return { ...r, rssKb };
}

interface Server {
  child: ChildProcess;
  url: string;
  control: string;
  objects: number;
}

function startServer(file: string, kubeconfig: string): Promise<Server> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(NODE, ['--max-old-space-size=8192', '--expose-gc', '--import', 'tsx', SERVER, '--load', file, '--kubeconfig', kubeconfig, '--token', TOKEN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench server did not start in 240 s: ${err}`));
    }, 240_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const info = JSON.parse(out.slice(0, nl)) as { url: string; control: string; objects: number };
      resolveStart({ child, url: info.url, control: info.control, objects: info.objects });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited ${code}: ${err}`));
    });
  });
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGTERM');
  await exited;
}

async function resetRequests(s: Server): Promise<void> {
  const r = await fetch(`${s.control}/reset?gc=1`, { method: 'POST' });
  if (r.status !== 204) throw new Error(`control reset: ${r.status}`);
}

interface RequestLog {
  count: number;
  byPath: Record<string, number>;
  spans: Record<string, [number, number]>;
  firstAt: number | null;
}

async function requestCount(s: Server): Promise<RequestLog> {
  return (await (await fetch(`${s.control}/requests`)).json()) as RequestLog;
}

// ---------------------------------------------------------------- measurements

interface StatusSample {
  ms: number;
  rssKb: number;
  requests: number;
  /** ms after status's first request at which its pod list started and ended (server clock) */
  podListSpan: [number, number] | null;
  /** ms from spawn to the first API request (start-up: module loading, kubeconfig) */
  firstRequestMs: number | null;
}
interface FloorSample {
  ms: number;
  innerMs: number;
  rssKb: number;
  requests: number;
  pods: number;
}

interface SizeResult {
  label: string;
  cluster: Omit<SyntheticStats, 'file'> & { generateMs: number; serverStartMs: number };
  status: {
    wallMs: number;
    requests: number;
    peakRssMb: number;
    samples: StatusSample[];
    requestsByPath: Record<string, number>;
    injectedPodsReported: number;
    podListSpanMs: [number, number] | null;
    firstRequestMs: number | null;
  };
  floor: { wallMs: number; innerMs: number; requests: number; peakRssMb: number; pods: number; samples: FloorSample[] };
  ratio: number;
  compare?: {
    cli: string;
    wallMs: number;
    requests: number;
    peakRssMb: number;
    ratio: number;
    firstRequestMs: number | null;
    podListSpanMs: [number, number] | null;
    samples: StatusSample[];
  };
  cpuProfile?: string;
}

async function measureStatus(s: Server, kubeconfig: string, rssFile: string, stdout: 'ignore' | string = 'ignore', cli = CLI): Promise<StatusSample & { byPath: Record<string, number> }> {
  await resetRequests(s);
  const r = await runMeasured([cli, 'status', '-o', 'json', '--kubeconfig', kubeconfig], rssFile, stdout);
  const req = await requestCount(s);
  return {
    ms: r.ms,
    rssKb: r.rssKb,
    requests: req.count,
    byPath: req.byPath,
    podListSpan: req.spans['/api/v1/pods'] ?? null,
    firstRequestMs: req.firstAt !== null ? req.firstAt - r.spawnedAt : null,
  };
}

async function measureFloor(s: Server, floorJs: string, rssFile: string): Promise<FloorSample> {
  await resetRequests(s);
  const r = await runMeasured([floorJs, '--url', s.url, '--token', TOKEN], rssFile, 'pipe');
  const req = await requestCount(s);
  const inner = JSON.parse(r.stdout.trim()) as { ms: number; pods: number; pages: number };
  return { ms: r.ms, innerMs: inner.ms, rssKb: r.rssKb, requests: req.count, pods: inner.pods };
}

function injectedPodsIn(statusJsonFile: string): number {
  const inv = JSON.parse(readFileSync(statusJsonFile, 'utf8')) as { dataPlane?: { proxies?: { count?: number }[] } };
  return (inv.dataPlane?.proxies ?? []).reduce((n, p) => n + (p.count ?? 0), 0);
}

async function benchSize(size: Size, tmp: string, floorJs: string): Promise<SizeResult> {
  const file = join(tmp, `cluster-${size.label}.json`);
  const kubeconfig = join(tmp, `kubeconfig-${size.label}`);
  const rssFile = join(tmp, 'maxrss');
  let t = performance.now();
  const stats = writeSyntheticCluster({ pods: size.pods, namespaces: size.namespaces }, file);
  const generateMs = Math.round(performance.now() - t);
  log(`${size.label}: generated ${stats.objects} objects, ${(stats.bytes / 1e6).toFixed(0)} MB (mesh pod ≈ ${stats.meshPodBytes} B) in ${generateMs} ms`);
  t = performance.now();
  const server = await startServer(file, kubeconfig);
  const serverStartMs = Math.round(performance.now() - t);
  log(`${size.label}: server up with ${server.objects} objects in ${serverStartMs} ms`);
  try {
    // Warm-up (page cache, server JIT); the status output of this run is checked for sanity.
    const outFile = join(tmp, `status-${size.label}.json`);
    const warm = await measureStatus(server, kubeconfig, rssFile, outFile);
    const injectedPodsReported = injectedPodsIn(outFile);
    if (injectedPodsReported !== stats.meshPods) throw new Error(`status reported ${injectedPodsReported} injected pods, cluster has ${stats.meshPods}`);
    const warmFloor = await measureFloor(server, floorJs, rssFile);
    if (warmFloor.pods !== stats.meshPods + stats.nonMeshPods + 2) throw new Error(`floor saw ${warmFloor.pods} pods`);
    log(`${size.label}: warm-up status ${warm.ms.toFixed(0)} ms, floor ${warmFloor.ms.toFixed(0)} ms`);
    if (COMPARE) {
      const cmpOut = join(tmp, `status-compare-${size.label}.json`);
      await measureStatus(server, kubeconfig, rssFile, cmpOut, COMPARE);
      const same = readFileSync(cmpOut, 'utf8') === readFileSync(outFile, 'utf8');
      log(`${size.label}: --compare build ${same ? 'prints the same inventory' : 'prints a DIFFERENT inventory'}`);
      if (!same) throw new Error(`--compare ${COMPARE_SRC} prints a different inventory than ${CLI_SRC}`);
    }

    const status: StatusSample[] = [];
    const floor: FloorSample[] = [];
    const compare: StatusSample[] = [];
    let byPath: Record<string, number> = warm.byPath;
    for (let i = 0; i < REPS; i++) {
      // alternate the order so neither side always runs on a freshly idle machine
      const doStatus = async (): Promise<void> => {
        const s = await measureStatus(server, kubeconfig, rssFile);
        byPath = s.byPath;
        status.push({ ms: s.ms, rssKb: s.rssKb, requests: s.requests, podListSpan: s.podListSpan, firstRequestMs: s.firstRequestMs });
      };
      const doFloor = async (): Promise<void> => {
        floor.push(await measureFloor(server, floorJs, rssFile));
      };
      const doCompare = async (): Promise<void> => {
        const s = await measureStatus(server, kubeconfig, rssFile, 'ignore', COMPARE);
        compare.push({ ms: s.ms, rssKb: s.rssKb, requests: s.requests, podListSpan: s.podListSpan, firstRequestMs: s.firstRequestMs });
      };
      const steps = COMPARE ? [doStatus, doFloor, doCompare] : [doStatus, doFloor];
      for (let k = 0; k < steps.length; k++) await steps[(k + i) % steps.length]!();
      log(
        `${size.label}: rep ${i + 1}/${REPS} status ${status.at(-1)!.ms.toFixed(0)} ms, floor ${floor.at(-1)!.ms.toFixed(0)} ms` +
          (COMPARE ? `, compare ${compare.at(-1)!.ms.toFixed(0)} ms` : ''),
      );
    }

    let cpuProfile: string | undefined;
    if (CPU_PROF) {
      const dir = resolve(CPU_PROF);
      mkdirSync(dir, { recursive: true });
      cpuProfile = `status-${size.label}.cpuprofile`;
      await resetRequests(server);
      const r = await run(NODE, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', cpuProfile, CLI, 'status', '-o', 'json', '--kubeconfig', kubeconfig]);
      if (r.code !== 0) throw new Error(`profiled status exited ${r.code}: ${r.stderr}`);
      cpuProfile = join(dir, cpuProfile);
      log(`${size.label}: wrote ${cpuProfile}`);
    }

    const statusWall = median(status.map((s) => s.ms));
    const floorWall = median(floor.map((s) => s.ms));
    const { file: _file, ...clusterStats } = stats;
    return {
      label: size.label,
      cluster: { ...clusterStats, generateMs, serverStartMs },
      status: {
        wallMs: Math.round(statusWall),
        requests: median(status.map((s) => s.requests)),
        peakRssMb: mb(median(status.map((s) => s.rssKb))),
        samples: status.map((s) => ({ ...s, ms: Math.round(s.ms) })),
        requestsByPath: byPath,
        injectedPodsReported,
        podListSpanMs: medianSpan(status.map((s) => s.podListSpan)),
        firstRequestMs: medianOrNull(status.map((s) => s.firstRequestMs)),
      },
      floor: {
        wallMs: Math.round(floorWall),
        innerMs: Math.round(median(floor.map((s) => s.innerMs))),
        requests: median(floor.map((s) => s.requests)),
        peakRssMb: mb(median(floor.map((s) => s.rssKb))),
        pods: floor[0]?.pods ?? 0,
        samples: floor.map((s) => ({ ...s, ms: Math.round(s.ms) })),
      },
      ratio: Math.round((statusWall / floorWall) * 100) / 100,
      ...(COMPARE
        ? {
            compare: {
              cli: COMPARE_SRC!,
              wallMs: Math.round(median(compare.map((s) => s.ms))),
              requests: median(compare.map((s) => s.requests)),
              peakRssMb: mb(median(compare.map((s) => s.rssKb))),
              ratio: Math.round((median(compare.map((s) => s.ms)) / floorWall) * 100) / 100,
              firstRequestMs: medianOrNull(compare.map((s) => s.firstRequestMs)),
              podListSpanMs: medianSpan(compare.map((s) => s.podListSpan)),
              samples: compare.map((s) => ({ ...s, ms: Math.round(s.ms) })),
            },
          }
        : {}),
      ...(cpuProfile ? { cpuProfile } : {}),
    };
  } finally {
    await stopServer(server);
    if (!KEEP) rmSync(file, { force: true });
  }
}

async function benchStartup(): Promise<{ cliMs: number; nodeMs: number; ratio: number; cliSamples: number[]; nodeSamples: number[] }> {
  const cli: number[] = [];
  const bare: number[] = [];
  const once = async (args: string[]): Promise<number> => {
    const r = await run(NODE, args, { stdout: 'pipe' });
    if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.ms;
  };
  for (let i = 0; i < 2; i++) {
    await once([CLI, '--version']);
    await once(['-e', '0']);
  }
  for (let i = 0; i < STARTUP_REPS; i++) {
    if (i % 2 === 0) {
      cli.push(await once([CLI, '--version']));
      bare.push(await once(['-e', '0']));
    } else {
      bare.push(await once(['-e', '0']));
      cli.push(await once([CLI, '--version']));
    }
  }
  const cliMs = median(cli);
  const nodeMs = median(bare);
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  return { cliMs: r1(cliMs), nodeMs: r1(nodeMs), ratio: Math.round((cliMs / nodeMs) * 100) / 100, cliSamples: cli.map(r1), nodeSamples: bare.map(r1) };
}

// ---------------------------------------------------------------- main

function pad(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
}

async function main(): Promise<void> {
  if (!existsSync(CLI_SRC)) throw new Error(`${CLI_SRC} not found: run \`npm run build\` (npm run bench does)`);
  if (COMPARE_SRC && !existsSync(COMPARE_SRC)) throw new Error(`${COMPARE_SRC} not found`);
  const sizes = SIZES.filter((s) => wanted.includes(s.label));
  const tmp = mkdtempSync(join(os.tmpdir(), 'istio-upgrade-bench-'));
  const started = performance.now();
  cpSync(dirname(CLI_SRC), join(tmp, 'cli'), { recursive: true });
  CLI = join(tmp, 'cli', basename(CLI_SRC));
  if (COMPARE_SRC) {
    cpSync(dirname(COMPARE_SRC), join(tmp, 'compare'), { recursive: true });
    COMPARE = join(tmp, 'compare', basename(COMPARE_SRC));
  }
  const loadBefore = os.loadavg()[0]!;
  if (loadBefore > 0.5) log(`warning: 1-min load average is ${loadBefore.toFixed(2)} before the run; other processes will skew the figures`);
  try {
    const floorJs = join(tmp, 'floor.mjs');
    await build({ entryPoints: [join(ROOT, 'scripts', 'bench', 'floor.ts')], outfile: floorJs, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });

    const results: SizeResult[] = [];
    for (const size of sizes) results.push(await benchSize(size, tmp, floorJs));
    log('start-up');
    const startup = await benchStartup();

    const head = ['cluster size', 'status wall (ms)', 'floor wall (ms)', 'ratio', 'status requests', 'status peak RSS (MB)', 'floor peak RSS (MB)'];
    const rows = results.map((r) => [
      `${r.label} pods / ${r.cluster.meshNamespaces + r.cluster.plainNamespaces} ns`,
      String(r.status.wallMs),
      String(r.floor.wallMs),
      r.ratio.toFixed(2),
      String(r.status.requests),
      r.status.peakRssMb.toFixed(1),
      r.floor.peakRssMb.toFixed(1),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const lines: string[] = [];
    lines.push(`istio-upgrade bench — node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, median of ${REPS} after 1 warm-up`);
    if (CLI_SRC !== join(ROOT, 'dist', 'istio-upgrade.js')) lines.push(`CLI under test: ${CLI_SRC}`);
    const loadAfter = os.loadavg()[0]!;
    lines.push(
      `1-min load average: ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (the bench itself adds up to ~2)` +
        (loadBefore > 0.5 ? ' — the machine was busy before the run: figures are skewed by other processes' : ''),
    );
    lines.push('');
    lines.push(pad(head, widths));
    lines.push(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) lines.push(pad(row, widths));
    if (COMPARE) {
      lines.push('');
      lines.push(`--compare ${COMPARE_SRC} (same reps, interleaved):`);
      const h2 = ['cluster size', 'compare wall (ms)', 'floor wall (ms)', 'ratio', 'requests', 'peak RSS (MB)'];
      const rows2 = results.map((r) => [rows[results.indexOf(r)]![0]!, String(r.compare!.wallMs), String(r.floor.wallMs), r.compare!.ratio.toFixed(2), String(r.compare!.requests), r.compare!.peakRssMb.toFixed(1)]);
      const w2 = h2.map((h, i) => Math.max(h.length, ...rows2.map((row) => row[i]!.length)));
      lines.push(pad(h2, w2));
      lines.push(`|${w2.map((w) => '-'.repeat(w + 2)).join('|')}|`);
      for (const row of rows2) lines.push(pad(row, w2));
      for (const r of results) {
        lines.push(`  ${r.label}: first request ${r.compare!.firstRequestMs ?? '?'} ms after spawn, pod list from +${r.compare!.podListSpanMs?.[0] ?? '?'} to +${r.compare!.podListSpanMs?.[1] ?? '?'} ms after it`);
      }
    }
    lines.push('');
    lines.push('wall = child process spawn → exit (both include node start-up); floor = raw paginated GET /api/v1/pods?limit=500 + JSON.parse, items dropped.');
    for (const r of results) {
      lines.push(
        `  ${r.label}: ${r.cluster.meshPods} injected + ${r.cluster.nonMeshPods} non-mesh pods (+2 istiod), ${r.cluster.deployments} Deployments, ${r.cluster.nodes} nodes, ${(r.cluster.bytes / 1e6).toFixed(0)} MB JSON; ` +
          `floor in-process ${r.floor.innerMs} ms over ${r.floor.requests} requests; status: first request ${r.status.firstRequestMs ?? '?'} ms after spawn, ` +
          `${r.status.requestsByPath['/api/v1/pods'] ?? 0} pod-list requests from +${r.status.podListSpanMs?.[0] ?? '?'} to +${r.status.podListSpanMs?.[1] ?? '?'} ms after it`,
      );
    }
    lines.push('');
    lines.push(`start-up (median of ${STARTUP_REPS}): istio-upgrade --version ${startup.cliMs} ms, node -e 0 ${startup.nodeMs} ms, ratio ${startup.ratio.toFixed(2)}`);
    lines.push('');
    const big = results.find((r) => r.label === '50k');
    const statusTarget = big ? big.status.wallMs <= big.floor.wallMs : undefined;
    const startupTarget = startup.ratio <= 1.5;
    lines.push(
      big
        ? `target status@50k ≤ floor: ${statusTarget ? 'MET' : 'NOT MET'} (${big.status.wallMs} ms vs ${big.floor.wallMs} ms, ${big.ratio.toFixed(2)}×)`
        : 'target status@50k ≤ floor: not measured (50k not in --sizes)',
    );
    lines.push(`target start-up ≤ 1.5× node: ${startupTarget ? 'MET' : 'NOT MET'} (${startup.ratio.toFixed(2)}×)`);
    process.stdout.write(`${lines.join('\n')}\n`);

    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const json = {
      when: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      reps: REPS,
      loadAverage: { before: loadBefore, after: os.loadavg()[0] },
      cli: CLI_SRC,
      ...(COMPARE_SRC ? { compare: COMPARE_SRC } : {}),
      cliBytes: statSync(CLI).size,
      sizes: results,
      startup,
      targets: {
        statusAt50kNotSlowerThanFloor: statusTarget ?? null,
        startupWithin1_5xNode: startupTarget,
      },
      totalMs: Math.round(performance.now() - started),
    };
    writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote bench-results/latest.json (total ${(json.totalMs / 1000).toFixed(0)} s)`);
  } finally {
    if (!KEEP) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
