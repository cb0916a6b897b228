/**
 * @module store/node-send
 * The Upstash REST sender for Node (see ./rest-requester): node:http/https over kept-alive
 * connections. Not for Workers (it imports Node's http modules); src/node.ts passes it in.
 */
import http from 'node:http';
import https from 'node:https';
import type { RestSend } from './rest-requester';

/** Replies larger than this are refused rather than buffered (SCAN pages and lists stay far below). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/**
 * Connections per origin at most. Well above what Telegram's 100 concurrent deliveries keep in
 * flight, so calls do not queue behind the cap while Upstash is slow or retrying (a queued call
 * spends its deadline waiting); still a bound on sockets, which fetch's pool does not have.
 */
const MAX_SOCKETS = 256;

export function nodeSend(opts: { maxSockets?: number } = {}): RestSend {
  const maxSockets = opts.maxSockets ?? MAX_SOCKETS;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  return (url, headers, body, signal) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        { method: 'POST', agent, signal, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_REPLY_BYTES) res.destroy(new Error('Upstash reply too large'));
            else chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const token = res.headers['upstash-sync-token'];
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              syncToken: typeof token === 'string' ? token : undefined,
            });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}
