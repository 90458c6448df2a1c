/**
 * Runs the fake API server as a process:
 *   npx tsx test/fake-apiserver/serve.ts --port 0 --load file.yaml [--load …] [--kubeconfig out]
 *     [--kubernetes-version 1.30.2] [--token test-token] [--namespace ns] [--host 127.0.0.1] [--warm]
 * --warm serializes all list items before reporting ready, so a benchmark's first pass does not pay for it.
 * Prints {"url":…,"port":…} as one JSON line on stdout when ready; exits 0 on SIGTERM/SIGINT.
 */
import { startFakeApiServer } from './index.js';
import { loadObjectsFromFile } from './load.js';

interface Args {
  port: number;
  host: string;
  load: string[];
  kubeconfig?: string;
  kubernetesVersion?: string;
  token?: string;
  namespace?: string;
  warm: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 0, host: '127.0.0.1', load: [], warm: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--warm') {
      args.warm = true;
      continue;
    }
    switch (flag) {
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new Error(`--port: not a number: ${v}`);
        args.port = Number(v);
        break;
      }
      case '--host': args.host = value(); break;
      case '--load': args.load.push(value()); break;
      case '--kubeconfig': args.kubeconfig = value(); break;
      case '--kubernetes-version': args.kubernetesVersion = value(); break;
      case '--token': args.token = value(); break;
      case '--namespace': args.namespace = value(); break;
      default: throw new Error(`unknown argument: ${a}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startFakeApiServer({
    port: args.port,
    host: args.host,
    ...(args.kubernetesVersion ? { kubernetesVersion: args.kubernetesVersion } : {}),
    ...(args.token ? { token: args.token } : {}),
  });
  for (const file of args.load) server.loadWithoutCopy(loadObjectsFromFile(file));
  if (args.warm) server.prewarm();
  if (args.kubeconfig) server.writeKubeconfig(args.kubeconfig, args.namespace ? { namespace: args.namespace } : {});
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-apiserver: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
