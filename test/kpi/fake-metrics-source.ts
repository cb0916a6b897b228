/**
 * A loopback fake of an upstream metrics source for the KPI pull: serves JSON and CSV bodies
 * from routes a test scripts, records each request's path and headers, and listens on a free
 * port on 127.0.0.1.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRoute {
  status?: number;
  type?: string;
  body: string;
  /** When set, requests without "Authorization: Bearer <token>" get 401. */
  token?: string;
}

export interface FakeMetricsSource {
  url: string;
  routes: Map<string, FakeRoute>;
  calls: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startFakeMetricsSource(): Promise<FakeMetricsSource> {
  const routes = new Map<string, FakeRoute>();
  const calls: FakeMetricsSource['calls'] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    calls.push({ path, headers: req.headers });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (route.token && req.headers.authorization !== `Bearer ${route.token}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'application/json' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
