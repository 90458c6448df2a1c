/**
 * A faithful fake Kubernetes API server over real HTTP, for tests and benchmarks.
 * Independent of product code: it has its own registry, selector parser and patch logic.
 */
import { FakeApiServerImpl } from './server.js';
import type { FakeApiServer, FakeApiServerOptions } from './types.js';

export type { Fault, FakeApiServer, FakeApiServerOptions, ForbidRule, KubeconfigOptions, KubeObject, RequestRecord } from './types.js';
export type { StatusBody } from './status.js';
export { loadObjectsFromFile, parseObjects } from './load.js';

/** Starts the server on 127.0.0.1 (port 0 = any free port unless `port` is given) and loads `objects`. */
export async function startFakeApiServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const server = new FakeApiServerImpl(opts);
  if (opts.objects) server.load(opts.objects);
  await server.listen();
  return server;
}
