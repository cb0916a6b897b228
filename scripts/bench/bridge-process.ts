/**
 * @module scripts/bench/bridge-process
 * The Upstash REST bridge (test/support/upstash-bridge) in a process of its own, as Upstash is a
 * server of its own: a bench that measures an isolate's wall and CPU time then counts the REST
 * round trips and the decoding of replies, not the bridge's HTTP and RESP work.
 * Run: node --import tsx scripts/bench/bridge-process.ts <redis host> <redis port> <token>;
 * it prints its URL on one line, and stops when its parent closes its stdin.
 */
import { startUpstashBridge } from '../../test/support/upstash-bridge';

const [host = '127.0.0.1', port = '6379', token = 'bench-token'] = process.argv.slice(2);
const bridge = await startUpstashBridge({ redis: { host, port: Number(port) }, token });
// The bridge records every request for tests to read: a bench sends hundreds of thousands.
setInterval(() => {
  bridge.requests.length = 0;
}, 100).unref();
process.stdout.write(`${bridge.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void bridge.close().finally(() => process.exit(0));
});
