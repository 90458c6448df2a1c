/**
 * The fake API server as a separate benchmark process, with a control port for request counts.
 *   node --import tsx scripts/bench/server.ts --load cluster.json --kubeconfig out [--token t]
 * Loads a JSON List written by synthetic.ts line by line (no 500 MB string), pre-serializes every list item
 * (like serve.ts --warm), writes the kubeconfig, then prints one line: {"url","port","control","objects"}.
 * Control (plain HTTP on 127.0.0.1, separate port, never counted):
 *   GET  /requests  → {"count":n,"byPath":{"/api/v1/pods":k,…},"spans":{"/api/v1/pods":[firstMs,lastMs],…}}
 *                     (requests since the last reset; spans are ms after the first of them; also "firstAt": its Date.now())
 *   POST /reset     → clears the request log; `/reset?gc=1` also runs a full GC (needs node --expose-gc)
 * Stops on SIGTERM/SIGINT.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { startFakeApiServer, type KubeObject } from '../../test/fake-apiserver/index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Reads synthetic.ts output: a `List` whose items are one per line. */
async function loadLines(file: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const raw of rl) {
    const line = raw.endsWith(',') ? raw.slice(0, -1) : raw; // items are written as `{…},` one per line
    if (!line.startsWith('{"apiVersion"') || line.includes('"kind":"List"')) continue;
    out.push(JSON.parse(line) as KubeObject);
  }
  return out;
}

async function main(): Promise<void> {
  const file = arg('--load');
  const kubeconfig = arg('--kubeconfig');
  if (!file || !kubeconfig) throw new Error('usage: server.ts --load file.json --kubeconfig out [--token t]');
  const token = arg('--token');
  const api = await startFakeApiServer(token ? { token } : {});
  const objects = await loadLines(file);
  api.loadWithoutCopy(objects);
  api.prewarm();
  api.writeKubeconfig(kubeconfig);

  const control = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/requests') {
      const byPath: Record<string, number> = {};
      // ms after the first request at which each path was first and last requested
      const spans: Record<string, [number, number]> = {};
      const t0 = api.requests[0]?.at ?? 0;
      for (const r of api.requests) {
        byPath[r.path] = (byPath[r.path] ?? 0) + 1;
        const span = (spans[r.path] ??= [r.at - t0, r.at - t0]);
        span[1] = r.at - t0;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ count: api.requests.length, byPath, spans, firstAt: api.requests[0]?.at ?? null }));
      return;
    }
    if (req.method === 'POST' && (req.url === '/reset' || req.url === '/reset?gc=1')) {
      api.clearRequests();
      // A full GC between measured runs, so that no major GC of the server's large heap lands inside one.
      if (req.url.endsWith('gc=1') && typeof globalThis.gc === 'function') globalThis.gc();
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const addr = control.address();
  const controlPort = addr && typeof addr === 'object' ? addr.port : 0;

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    control.close();
    void api.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: api.url, port: api.port, control: `http://127.0.0.1:${controlPort}`, objects: objects.length })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
