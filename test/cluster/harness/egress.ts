/**
 * The API server's `cluster` egress: an HTTP CONNECT proxy on a Unix socket (kube-apiserver
 * `--egress-selector-config-file`, proxyProtocol HTTPConnect over uds). The API server dials webhooks at their
 * Service's ClusterIP:port through it; `resolve` maps that address to a loopback port, or refuses it as a cluster
 * with no ready endpoint would. Nothing ever leaves loopback.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';

export type Resolve = (host: string, port: number) => Promise<number | undefined>;

export interface EgressProxy {
  socket: string;
  /** Every CONNECT seen: target and where it went (a port, or 'refused'). */
  log: { target: string; to: number | 'refused'; at: number }[];
  setResolver(r: Resolve): void;
  close(): Promise<void>;
}

export async function startEgressProxy(socket: string): Promise<EgressProxy> {
  let resolve: Resolve = async () => undefined;
  const log: EgressProxy['log'] = [];
  const server: Server = createServer((_req, res) => {
    res.writeHead(405).end('CONNECT only\n');
  });
  const sockets = new Set<{ destroy(): void }>();
  server.on('connect', (req, client, head) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const target = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    void (async () => {
      const port = m ? await resolve(m[1]!, Number(m[2])).catch(() => undefined) : undefined;
      log.push({ target, to: port ?? 'refused', at: Date.now() });
      if (port === undefined) {
        client.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      const upstream = connect(port, '127.0.0.1', () => {
        sockets.add(upstream);
        upstream.once('close', () => sockets.delete(upstream));
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      const drop = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', drop);
      client.on('error', drop);
    })();
  });
  rmSync(socket, { force: true });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    log,
    setResolver(r) {
      resolve = r;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
