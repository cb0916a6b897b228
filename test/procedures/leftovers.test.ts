/**
 * Issue 19, the last procedure questions answered wrongly: "làm lại căn cước" offered a choice
 * instead of the re-issue, "tạm trú tạm vắng" (no "và") answered one procedure of two, and a
 * question naming the former district level ("… còn nộp ở UBND huyện không") was given the
 * record's level without being told the district level ended.
 */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types';
import { PlaceRegistry } from '../../src/knowledge/places';
import { bareProcedures, bundledPlaces } from './fixtures/services';

const text = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');

function asker(places?: PlaceRegistry) {
  const { handler, assistant } = bareProcedures(undefined, places);
  const ask = (q: string, locale: 'vi' | 'en' = 'vi') =>
    handler.handle({ inbound: { channel: 'web', chatId: 'l', userId: 'l', text: q, locale, role: 'citizen' }, args: q });
  return { ask, assistant };
}

describe('"làm lại căn cước" is the re-issue', () => {
  const { ask, assistant } = asker();
  it.each(['làm lại căn cước', 'lam lai can cuoc', 'Làm lại căn cước ở đâu?'])('"%s" goes straight to the re-issue, no pick-list', async (q) => {
    expect(assistant.route(q).handler.id).toBe('procedure');
    const r = await ask(q);
    expect(r.citations.map((c) => c.id)).toEqual(['cap-lai-the-can-cuoc']);
    expect(text(r)).not.toContain('chọn một');
  });
});

describe('"tạm trú tạm vắng" without "và" names both', () => {
  const { ask } = asker();
  it.each(['tạm trú tạm vắng', 'tam tru tam vang', 'làm tạm trú tạm vắng ở đâu', 'khai sinh khai tử cần giấy tờ gì'])('"%s" answers both procedures', async (q) => {
    const r = await ask(q);
    expect(r.citations).toHaveLength(2);
    expect(r.blocks[0]).toMatchObject({ type: 'text', text: expect.stringContaining('2 thủ tục') });
  });

  it('still answers one procedure when its name alone repeats nothing', async () => {
    const r = await ask('đăng ký tạm trú');
    expect(r.citations.map((c) => c.id)).toEqual(['dang-ky-tam-tru']);
  });
});

describe('a procedure question naming the former district level is told it ended', () => {
  const { ask } = asker();
  it.each([
    ['Đăng ký khai sinh còn nộp ở UBND huyện không?', 'dang-ky-khai-sinh'],
    ['dang ky ket hon nop o ubnd huyen duoc khong', 'dang-ky-ket-hon'],
    ['Làm căn cước còn nộp ở công an huyện không?', 'cap-the-can-cuoc'],
  ])('"%s": "Không." first, the district level ended on the registry\'s date, then where it is done now', async (q, id) => {
    const r = await ask(q);
    expect(r.citations.map((c) => c.id)).toEqual([id]);
    expect(r.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^Không\. Từ ngày 1\/7\/2025 không còn cấp huyện/) });
    expect(text(r)).toMatch(/Nơi làm — /);
    expect(text(r)).toContain('cấp xã');
  });

  it('takes the date from the place registry, not from a text of its own', async () => {
    const real = bundledPlaces();
    const moved = new PlaceRegistry({ ...real.data, reorganisation: { ...real.data.reorganisation, effective: '2025-08-15' } });
    const r = await asker(moved).ask('Đăng ký khai sinh còn nộp ở UBND huyện không?');
    expect(text(r)).toContain('Từ ngày 15/8/2025 không còn cấp huyện');
  });

  it('says it in English for English users', async () => {
    const r = await ask('dang ky khai sinh con nop o ubnd huyen khong', 'en');
    expect(r.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^No\. Since 1\/7\/2025 the district level no longer exists/) });
  });

  it('adds nothing to a question about the district level in the past, or one not naming it', async () => {
    expect(text(await ask('Trước đây đăng ký khai sinh nộp ở UBND huyện à?'))).not.toContain('không còn cấp huyện');
    expect(text(await ask('Đăng ký khai sinh nộp ở đâu?'))).not.toContain('không còn cấp huyện');
  });
});
