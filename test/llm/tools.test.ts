import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, knowledgeSearchTool, readOnlyStore, ToolRegistry, type Tool, type ToolContext } from '../../src/llm/tools';
import { MemoryStore } from '../../src/store/memory';
import { makeTestApp } from '../support/runtime';

const store = new MemoryStore();
const ctx: ToolContext = { locale: 'vi', store: readOnlyStore(store), now: () => new Date('2026-11-21T01:00:00Z') };

const echo = defineTool({
  name: 'echo_deadline',
  description: 'Echo.',
  parameters: z.object({ owner: z.string().min(2), days: z.number().int().max(90).default(30) }),
  readOnly: true,
  async run(args) {
    return { data: args };
  },
});

describe('ToolRegistry', () => {
  it('refuses a tool that does not promise to be read-only', () => {
    const writer = { ...echo, name: 'add_task', readOnly: false } as unknown as Tool;
    expect(() => new ToolRegistry([writer])).toThrow(/not declared read-only/);
  });

  it('refuses bad names and a name registered twice', () => {
    expect(() => new ToolRegistry([{ ...echo, name: 'Delete User' }])).toThrow(/snake_case/);
    expect(() => new ToolRegistry([echo, echo])).toThrow(/registered twice/);
  });

  it('describes each tool to the model with the JSON schema of its arguments', () => {
    const [def] = new ToolRegistry([echo]).definitions();
    expect(def).toMatchObject({
      type: 'function',
      function: { name: 'echo_deadline', description: 'Echo.', parameters: { type: 'object', properties: { owner: { type: 'string' } } } },
    });
    expect(def!.function.parameters).not.toHaveProperty('$schema');
  });

  it('runs a call with its arguments checked and defaults applied', async () => {
    const out = await new ToolRegistry([echo]).run('echo_deadline', '{"owner":"Sở Nội vụ"}', ctx);
    expect(out).toEqual({ ok: true, result: { data: { owner: 'Sở Nội vụ', days: 30 } } });
  });

  it('answers bad calls with an error for the model instead of throwing', async () => {
    const failing = defineTool({ ...echo, name: 'boom', async run() { throw new Error('db password=xyz'); } });
    const reg = new ToolRegistry([echo, failing]);
    expect(await reg.run('nope', '{}', ctx)).toMatchObject({ ok: false, error: expect.stringContaining('unknown tool') });
    expect(await reg.run('echo_deadline', 'not json', ctx)).toMatchObject({ ok: false, error: 'arguments are not valid JSON' });
    expect(await reg.run('echo_deadline', '{"owner":"x","days":365}', ctx)).toMatchObject({ ok: false, error: expect.stringContaining('invalid arguments') });
    const boom = await reg.run('boom', '{"owner":"ab"}', ctx);
    expect(boom).toMatchObject({ ok: false });
    expect(JSON.stringify(boom)).not.toContain('password');
  });

  it('caps the data a tool sends back', async () => {
    const big = defineTool({ ...echo, name: 'big', async run() { return { data: 'x'.repeat(10_000) }; } });
    const out = await new ToolRegistry([big]).run('big', '{"owner":"ab"}', ctx);
    expect(out.ok && JSON.stringify(out.result.data).length).toBeLessThan(4100);
  });
});

describe('readOnlyStore', () => {
  it('has no method that writes', () => {
    const view = readOnlyStore(store) as unknown as Record<string, unknown>;
    for (const write of ['set', 'claim', 'del', 'incr', 'expire', 'listPush', 'setAdd', 'setRemove', 'hashSet', 'hashDel', 'zAdd', 'zRemRangeByScore', 'keysWithPrefix']) {
      expect(view[write]).toBeUndefined();
    }
  });

  it('reads through to the store', async () => {
    await store.set('k', 'v');
    expect(await readOnlyStore(store).get('k')).toBe('v');
  });
});

describe('knowledgeSearchTool', () => {
  const { rt } = makeTestApp();
  const tool = knowledgeSearchTool(rt.knowledge);

  it('returns passages with their sources for a query the knowledge answers', async () => {
    const out = await tool.run({ query: 'Chỉ thị 22-CT/TU ban hành' }, ctx);
    expect(out.passages!.length).toBeGreaterThan(0);
    expect(out.passages![0]).toMatchObject({ docId: 'bd-chi-thi-22-ct-tu', source: expect.any(String), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('says found:false rather than returning weak passages', async () => {
    expect(await tool.run({ query: 'nuôi cá tra xuất khẩu' }, ctx)).toEqual({ data: { found: false } });
  });
});
