/**
 * @module scripts/kb
 * `npm run kb -- add|list|retire|export|import …`: a small CLI over the admin document API, so a
 * province can publish from a shell or sync a folder from its document system on a schedule.
 * The token comes from ADMIN_TOKEN and is never printed; the server comes from --to or KB_URL.
 * Results go to stdout (for export: only the NDJSON), everything else to stderr.
 * The pure parts (arguments, requests, answers) live in ./lib/kb.
 *
 * Usage: ADMIN_TOKEN=… npm run kb -- add ./van-ban --to https://bot.example.gov.vn
 */
import { createWriteStream } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  addFileRequest,
  addUrlRequest,
  authHeaders,
  checkFieldsForCount,
  describeFailure,
  describeList,
  describePublish,
  exportRequest,
  importRequest,
  isSupported,
  isUrlTarget,
  KbUsageError,
  listRequest,
  ListAnswerSchema,
  parseKbArgs,
  PublishAnswerSchema,
  retireRequest,
  USAGE,
  type KbCommand,
  type KbRequest,
} from './lib/kb';
import { runMain } from './lib/run-main';

export interface KbIo {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  stdout: Writable;
  stderr: Writable;
}

const defaultIo = (): KbIo => ({ env: process.env, fetch: globalThis.fetch, stdout: process.stdout, stderr: process.stderr });

/** Something went wrong talking to the server: exit code 1, message already written. */
class KbFailure extends Error {}

/** Runs one command; returns the exit code (0 done, 1 refused or unreachable, 2 usage). */
export async function main(argv: string[], io: KbIo = defaultIo()): Promise<number> {
  const say = (line: string) => io.stdout.write(line + '\n');
  const tell = (line: string) => io.stderr.write(line + '\n');
  let cmd: KbCommand;
  let token: string;
  try {
    cmd = parseKbArgs(argv, { KB_URL: io.env.KB_URL });
    if (cmd.cmd === 'help') {
      say(USAGE);
      return 0;
    }
    token = io.env.ADMIN_TOKEN?.trim() ?? '';
    if (!token) throw new KbUsageError('Chưa đặt biến môi trường ADMIN_TOKEN.', 'ADMIN_TOKEN is not set.');
  } catch (e) {
    if (!(e instanceof KbUsageError)) throw e;
    tell(`kb: ${e.message}`);
    tell('npm run kb -- --help');
    return 2;
  }

  const headers = authHeaders(token, cmd.actor);
  const send = async (req: KbRequest): Promise<Response> => {
    try {
      return await io.fetch(req.url, { ...req.init, signal: AbortSignal.timeout(cmd.timeoutMs) });
    } catch (e) {
      const origin = new URL(req.url).origin;
      const why = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
        ? `quá ${cmd.timeoutMs / 1000} giây — over ${cmd.timeoutMs / 1000} s`
        : e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
      tell(`kb: không kết nối được tới ${origin} — could not reach ${origin} (${why})`);
      throw new KbFailure();
    }
  };
  /** The body of a 2xx answer as JSON; a non-2xx answer is reported and fails. */
  const expectOk = async (res: Response, what: string): Promise<unknown> => {
    const text = await res.text();
    if (!res.ok) {
      tell(`kb: ${what}: ${describeFailure(res.status, text)}`);
      throw new KbFailure();
    }
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      tell(`kb: ${what}: máy chủ trả lời không phải JSON — the server's answer is not JSON`);
      throw new KbFailure();
    }
  };
  const shape = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      tell(`kb: ${what}: câu trả lời của máy chủ không đúng dạng — unexpected answer from the server`);
      throw new KbFailure();
    }
    return parsed.data;
  };

  try {
    switch (cmd.cmd) {
      case 'add': {
        let files: string[];
        try {
          files = await collectTargets(cmd.targets, cmd.recursive, tell);
          checkFieldsForCount(cmd.fields, files.length);
        } catch (e) {
          if (!(e instanceof KbUsageError)) throw e;
          tell(`kb: ${e.message}`);
          return 2;
        }
        let published = 0;
        let unchanged = 0;
        let failed = 0;
        for (const target of files) {
          const name = isUrlTarget(target) ? target : basename(target);
          try {
            const req = isUrlTarget(target)
              ? addUrlRequest(cmd, target, headers)
              : addFileRequest(cmd, { name, bytes: new Uint8Array(await readFile(target)) }, headers);
            const res = await send(req);
            const answer = shape(PublishAnswerSchema, await expectOk(res, name), name);
            if (cmd.json) say(JSON.stringify({ file: target, status: res.status, ...answer }));
            else for (const line of describePublish(name, res.status, answer, cmd.dryRun)) say(line);
            if (res.status === 201 && !cmd.dryRun) published++;
            else if (!cmd.dryRun) unchanged++;
          } catch (e) {
            if (!(e instanceof KbFailure)) throw e;
            failed++;
          }
        }
        if (files.length > 1 || failed > 0) {
          tell(
            cmd.dryRun
              ? `kb: xem trước ${files.length - failed}/${files.length} tệp, ${failed} lỗi — previewed ${files.length - failed}/${files.length}, ${failed} failed`
              : `kb: ${published} đã đăng, ${unchanged} không đổi, ${failed} lỗi — ${published} published, ${unchanged} unchanged, ${failed} failed`,
          );
        }
        return failed > 0 ? 1 : 0;
      }
      case 'list': {
        const answer = shape(ListAnswerSchema, await expectOk(await send(listRequest(cmd, headers)), 'list'), 'list');
        if (cmd.json) say(JSON.stringify(answer));
        else for (const line of describeList(answer)) say(line);
        return 0;
      }
      case 'retire': {
        await expectOk(await send(retireRequest(cmd, headers)), `retire ${cmd.id}`);
        say(`- ${cmd.id}: đã thu hồi, không còn được trích dẫn — retired, no longer cited`);
        return 0;
      }
      case 'export': {
        const res = await send(exportRequest(cmd, headers));
        if (!res.ok || !res.body) {
          await expectOk(res, 'export');
          tell('kb: export: máy chủ không gửi dữ liệu — the server sent no data');
          return 1;
        }
        let lines = 0;
        const counter = new TransformCounter((n) => (lines += n));
        // A file is written beside its name and renamed when complete: never a half backup under the real name.
        const partial = cmd.out ? `${cmd.out}.part` : undefined;
        const sink = partial ? createWriteStream(partial) : io.stdout;
        try {
          await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, sink, { end: Boolean(partial) });
          if (partial) await rename(partial, cmd.out!);
        } catch (e) {
          if (partial) await rm(partial, { force: true });
          tell(`kb: export bị ngắt giữa chừng — export broke off (${e instanceof Error ? e.message : String(e)})`);
          return 1;
        }
        tell(`kb: đã xuất ${lines} dòng — exported ${lines} lines${cmd.out ? ` → ${cmd.out}` : ''}`);
        return 0;
      }
      case 'import': {
        let body: Uint8Array;
        try {
          body = new Uint8Array(await readFile(cmd.file));
        } catch {
          tell(`kb: không đọc được tệp ${cmd.file} — cannot read ${cmd.file}`);
          return 2;
        }
        const answer = await expectOk(await send(importRequest(cmd, body, headers)), 'import');
        say(`kb: đã nhập — imported: ${JSON.stringify(answer)}`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof KbFailure) return 1;
    throw e;
  }
}

/**
 * The files (or URLs) `add` sends: a file as given (whatever its extension: the server says
 * what it cannot read), a folder's supported files in name order (and its subfolders' with
 * --recursive).
 */
async function collectTargets(targets: string[], recursive: boolean, tell: (line: string) => void): Promise<string[]> {
  const out: string[] = [];
  for (const target of targets) {
    if (isUrlTarget(target)) {
      out.push(target);
      continue;
    }
    let info;
    try {
      info = await stat(target);
    } catch {
      throw new KbUsageError(`Không tìm thấy ${target}.`, `${target} does not exist.`);
    }
    if (info.isFile()) {
      out.push(target);
      continue;
    }
    if (!info.isDirectory()) throw new KbUsageError(`${target} không phải tệp hay thư mục.`, `${target} is neither a file nor a folder.`);
    const found = await walk(target, recursive);
    const skipped = found.filter((f) => !isSupported(basename(f)));
    if (skipped.length > 0) {
      tell(`kb: bỏ qua ${skipped.length} tệp không hỗ trợ trong ${target} — skipped ${skipped.length} unsupported files (.pdf .docx .html .htm .txt .md only)`);
    }
    const supported = found.filter((f) => isSupported(basename(f)));
    if (supported.length === 0) throw new KbUsageError(`Thư mục ${target} không có tệp nào để đăng.`, `The folder ${target} has no file to publish.`);
    out.push(...supported);
  }
  return out;
}

async function walk(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isFile()) out.push(path);
    else if (e.isDirectory() && recursive) out.push(...(await walk(path, recursive)));
  }
  return out;
}

/** Passes bytes through, counting newline-terminated lines. */
class TransformCounter extends Transform {
  constructor(private readonly onLines: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    let n = 0;
    for (const b of chunk) if (b === 0x0a) n++;
    this.onLines(n);
    done(null, chunk);
  }
}

runMain(import.meta.url, (argv) => main(argv));
