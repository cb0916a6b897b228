/**
 * A tiny OpenAI-compatible embeddings server on 127.0.0.1 for the search tests (the shared
 * OpenAI fake lives in test/support/). POST /v1/embeddings answers in the OpenAI wire format
 * with deterministic "semantic" vectors: folded syllables hashed into 64 dimensions, after
 * mapping a few synonyms to one form, so a paraphrase lands near its original while sharing
 * no word with it. It records each call and can be told to fail the next ones.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fold } from '../../src/text/normalize';
import { fnv1a32 } from '../../src/text/hash';

export const FAKE_DIMENSIONS = 64;

/** Phrases the fake treats as meaning the same thing. */
const SYNONYMS: Array<[RegExp, string]> = [
  [/\bsap nhap\b/g, 'hop nhat'],
  [/\bgop\b/g, 'hop nhat'],
  [/\bbo may\b/g, 'bien che'],
];

export function fakeVector(text: string): number[] {
  let folded = fold(text.normalize('NFC').toLowerCase());
  for (const [from, to] of SYNONYMS) folded = folded.replace(from, to);
  const v = new Array<number>(FAKE_DIMENSIONS).fill(0);
  for (const word of folded.match(/[a-z0-9]+/g) ?? []) v[fnv1a32(word) % FAKE_DIMENSIONS]! += 1;
  return v;
}

export interface EmbeddingsCall {
  authorization: string | undefined;
  model: string;
  input: string[];
}

export interface FakeEmbeddings {
  url: string;
  calls: EmbeddingsCall[];
  /** The next `count` requests get this HTTP status. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const calls: EmbeddingsCall[] = [];
  const failures: number[] = [];
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(404, { error: { message: 'not found' } });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; input: string | string[] };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    calls.push({ authorization: req.headers.authorization, model: body.model, input });
    const status = failures.shift();
    if (status) return send(status, { error: { message: 'scripted failure', type: 'server_error' } });
    send(200, {
      object: 'list',
      model: body.model,
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeVector(text) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
