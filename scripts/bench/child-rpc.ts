/**
 * @module scripts/bench/child-rpc
 * The child side of the bench's process RPC: answers `{ id, method, args }` messages from the
 * parent by calling the named method and sending back `{ id, result }` or `{ id, error }`.
 */
export type ChildMethods = Record<string, (...args: never[]) => unknown>;

export function serveParentCalls(methods: ChildMethods): void {
  process.on('message', (msg: { id: number; method: string; args: unknown[] }) => {
    const fn = methods[msg.method] as ((...args: unknown[]) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!fn) throw new Error(`unknown method ${msg.method}`);
        return fn(...msg.args);
      })
      .then(
        (result) => process.send!({ id: msg.id, result: result ?? null }),
        (e: unknown) => process.send!({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
      );
  });
}
