/**
 * @module text/bounded-read
 * Reading a body that a client or a remote server chose the size of: no further than a limit
 * (a lying or absent content-length changes nothing), and within a deadline when one is given.
 * Shared by uploads to the companion Workers, URL fetches of documents and KPI pulls.
 */

/**
 * The stream read to its end, or `tooLarge()` thrown as soon as it passes `max` bytes. Any
 * failure (including `deadline` rejecting first) cancels the stream before it is thrown on.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, max: number, tooLarge: () => Error, deadline?: Promise<never>): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await (deadline ? Promise.race([reader.read(), deadline]) : reader.read());
      if (done) break;
      total += value.byteLength;
      if (total > max) throw tooLarge();
      chunks.push(value);
    }
  } catch (e) {
    void reader.cancel().catch(() => undefined);
    throw e;
  }
  return concatBytes(chunks, total);
}

/** The chunks one after another in one array. */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
