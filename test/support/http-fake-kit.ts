/**
 * The HTTP plumbing the loopback platform fakes share: a server on a free port of 127.0.0.1,
 * the request body as text, and JSON answers. Not named fake-*.ts: the workers project's global
 * setup starts every such file as a fake.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  /** Drops open connections (kept-alive or hanging) so closing does not wait for them. */
  close(): Promise<void>;
}

export async function listenLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's URL (the path and query are all that matter), its body as text and as bytes (uploads). */
export async function readRequest(req: IncomingMessage): Promise<{ url: URL; body: string; raw: Buffer }> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
  return { url, body: raw.toString('utf8'), raw };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}
