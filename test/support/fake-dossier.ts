/**
 * A loopback fake of a dossier lookup service (DOSSIER_LOOKUP_URL) speaking the contract in
 * src/procedures/dossier.ts: `GET /lookup?code=<mã>` answers 200 `{ found: true, code, status,
 * … }` for a seeded dossier and 404 otherwise, and can be told to fail. Node tests drive it
 * through the returned object; workerd tests, which cannot start servers, use HTTP controls:
 *   GET  /__calls    recorded lookups as JSON
 *   POST /__reset    forget calls, seeded dossiers and scripts
 *   POST /__records  seed dossiers: { "<code>": { status, procedure?, … } }
 *   POST /__script   queue canned answers for the next lookups: { status?, body?, hang?, times? }
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The env binding the workers project's global setup hands the fake's URL in. */
export const BINDING = 'FAKE_DOSSIER_URL';

export interface DossierCall {
  path: string;
  code: string | null;
  accept: string | undefined;
  status: number;
}

export interface DossierScript {
  /** HTTP status (default 200). */
  status?: number;
  /** Body, sent as JSON unless it is a string (default `{}`). */
  body?: unknown;
  /** Never answer (until reset or close): for timeouts. */
  hang?: boolean;
  /** How many lookups this applies to (default 1). */
  times?: number;
}

export type SeededDossier = Record<string, unknown> & { status: string };

export interface FakeDossier {
  /** Base URL of the fake; the lookup endpoint is `${url}/lookup`. */
  url: string;
  lookupUrl: string;
  calls(): DossierCall[];
  seed(records: Record<string, SeededDossier>): void;
  script(s: DossierScript): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeDossier(): Promise<FakeDossier> {
  let calls: DossierCall[] = [];
  let records = new Map<string, SeededDossier>();
  let scripts: Array<DossierScript & { times: number }> = [];
  let hanging: ServerResponse[] = [];

  const reset = () => {
    calls = [];
    records = new Map();
    scripts = [];
    for (const res of hanging) res.destroy();
    hanging = [];
  };
  const seed = (more: Record<string, SeededDossier>) => {
    for (const [code, r] of Object.entries(more)) records.set(code.toUpperCase(), r);
  };
  const script = (s: DossierScript) => scripts.push({ ...s, times: s.times ?? 1 });

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(text);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    if (url.pathname === '/__calls') return send(res, 200, calls);
    if (url.pathname === '/__reset') return (reset(), send(res, 200, { ok: true }));
    if (url.pathname === '/__records') return (seed(body as Record<string, SeededDossier>), send(res, 200, { ok: true }));
    if (url.pathname === '/__script') return (script(body as DossierScript), send(res, 200, { ok: true }));
    if (url.pathname !== '/lookup' || req.method !== 'GET') return send(res, 404, { error: 'no such endpoint' });

    const code = url.searchParams.get('code');
    const call: DossierCall = { path: url.pathname, code, accept: req.headers.accept, status: 0 };
    calls.push(call);
    const next = scripts[0];
    if (next) {
      if (--next.times <= 0) scripts.shift();
      if (next.hang) return void hanging.push(res);
      call.status = next.status ?? 200;
      return send(res, call.status, next.body ?? {});
    }
    const record = code ? records.get(code.toUpperCase()) : undefined;
    call.status = record ? 200 : 404;
    return record ? send(res, 200, { found: true, code, ...record }) : send(res, 404, { found: false });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    lookupUrl: `${url}/lookup`,
    calls: () => calls.map((c) => ({ ...c })),
    seed,
    script,
    reset,
    close: async () => {
      reset();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

/** What the workers project's global setup calls. */
export const start = (): Promise<FakeDossier> => startFakeDossier();
