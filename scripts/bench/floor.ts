/**
 * The floor: one raw paginated GET of every pod (limit=500, continue tokens), JSON.parse of each page,
 * items counted then dropped. Plain node:http, same bearer token as the CLI. Run as its own process
 * (bench.ts bundles it to .mjs and runs it with plain `node`, so no loader start-up is added):
 *   node floor.mjs --url http://127.0.0.1:PORT --token test-token
 * Prints {"ms","pods","pages","maxRssKb"} on stdout; ms is from the first request to the last parse.
 */
import http from 'node:http';

interface PodListPage {
  metadata?: { continue?: string };
  items?: unknown[];
}

interface PageSummary {
  count: number;
  cont: string | undefined;
}

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`floor: ${name} is required`);
  return v;
}

/** GET + JSON.parse of one page; only the item count and continue token leave this function, so no page stays alive while the next is read. */
function getPage(url: URL, token: string): Promise<PageSummary> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`floor: GET ${url.pathname}${url.search} → ${res.statusCode}: ${text.slice(0, 200)}`));
          return;
        }
        try {
          const page = JSON.parse(text) as PodListPage;
          resolve({ count: page.items?.length ?? 0, cont: page.metadata?.continue || undefined });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const base = arg('--url');
  const token = arg('--token');
  const t0 = performance.now();
  let pods = 0;
  let pages = 0;
  let cont: string | undefined;
  do {
    const url = new URL('/api/v1/pods', base);
    url.searchParams.set('limit', '500');
    if (cont) url.searchParams.set('continue', cont);
    const page = await getPage(url, token);
    pages++;
    pods += page.count;
    cont = page.cont;
  } while (cont);
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), pods, pages, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
