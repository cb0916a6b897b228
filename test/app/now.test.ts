/**
 * The world as it is in December 2026, through the composed app (POST /api/chat): the 2025
 * reorganisation answered from the place registry with its source, former provinces labelled
 * with what they are part of now, old facts framed by their date, and "not found" sending the
 * citizen to the profile's offices. Each question typed with and without marks.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';
import { useFakeOpenAI } from '../llm/setup';

interface ChatBody {
  reply: string;
  citations: Array<{ id: string; title: string; source: string; date: string; url?: string }>;
  intent: string;
  found: boolean;
}

const today = () => new Date('2026-12-06T09:00:00+07:00');

async function chat(message: string): Promise<ChatBody> {
  const t = makeTestApp({}, today);
  const res = await t.request('/api/chat', postJson({ message }));
  expect(res.status).toBe(200);
  return (await res.json()) as ChatBody;
}

const ids = (b: ChatBody) => b.citations.map((c) => c.id);

describe('the 2025 reorganisation, asked in the chat', () => {
  it.each(['Bình Dương bây giờ còn là tỉnh không?', 'binh duong bay gio con la tinh khong'])(
    '"%s" gets a direct no: part of TP. Hồ Chí Minh since 1/7/2025, citing Nghị quyết 202/2025/QH15',
    async (q) => {
      const b = await chat(q);
      expect(b.found).toBe(true);
      expect(b.reply).toMatch(/^Không\. Từ 1\/7\/2025, Bình Dương không còn là tỉnh riêng mà thuộc TP\. Hồ Chí Minh/);
      expect(b.reply).toContain('Nghị quyết 202/2025/QH15');
      expect(ids(b)).toEqual(['vn-danh-sach-34-tinh-thanh-2025', 'vn-binh-duong-vao-tp-hcm-2025']);
      expect(b.citations[0]).toMatchObject({ source: 'Quốc hội khóa XV', date: '2025-06-12' });
    },
  );

  it.each(['Hậu Giang hiện nay thuộc thành phố nào?', 'hau giang hien nay thuoc thanh pho nao'])(
    '"%s" answers TP. Cần Thơ, not Hậu Giang\'s leaders of 2021',
    async (q) => {
      const b = await chat(q);
      expect(b.reply).toContain('Hậu Giang không còn là tỉnh riêng mà thuộc TP. Cần Thơ');
      expect(b.reply).toContain('tỉnh Sóc Trăng');
      expect(b.reply).not.toMatch(/Trương Cảnh Tuyên|Lê Tiến Châu/);
      expect(ids(b)).toContain('vn-hau-giang-vao-can-tho-2025');
    },
  );

  it.each(['văn bản nào của Quốc hội sáp nhập các tỉnh năm 2025', 'van ban nao cua quoc hoi sap nhap cac tinh nam 2025'])(
    '"%s" quotes Nghị quyết 202/2025/QH15, not a provincial Party resolution',
    async (q) => {
      const b = await chat(q);
      expect(b.found).toBe(true);
      expect(b.reply).toContain('Nghị quyết 202/2025/QH15');
      expect(b.reply).not.toContain('05-NQ/TU');
      expect(ids(b)[0]).toBe('vn-sap-nhap-tinh-2025');
    },
  );

  it.each(['chỉ số cải cách hành chính năm 2024 của Bình Dương', 'chi so cai cach hanh chinh nam 2024 cua binh duong'])(
    '"%s" gives the 2024 result, labelled with what Bình Dương is now, not the 2022 rank',
    async (q) => {
      const b = await chat(q);
      expect(b.reply).toContain('Về Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025)');
      expect(b.reply).toContain('89,13');
      expect(b.reply).toContain('23/63');
      expect(b.reply).not.toContain('4/63');
      expect(ids(b)[0]).toBe('vn-chi-so-cchc-2024');
    },
  );

  it.each(['Tỉnh Long An bây giờ thuộc tỉnh nào?', 'tinh long an bay gio thuoc tinh nao'])('"%s" answers Tây Ninh from the registry', async (q) => {
    const b = await chat(q);
    expect(b.reply).toContain('Long An không còn là tỉnh riêng mà thuộc tỉnh Tây Ninh');
    expect(ids(b)).toEqual(['vn-danh-sach-34-tinh-thanh-2025']);
  });
});

describe('old facts in time', () => {
  it.each(['Chỉ thị 22-CT/TU ban hành ngày nào?', 'chi thi 22 ban hanh ngay nao'])(
    '"%s" frames the 2022 fact by its source\'s date, outside the quote',
    async (q) => {
      const b = await chat(q);
      expect(b.reply).toContain('Theo tin ngày 6/7/2022:\n\n“');
      expect(b.reply).toContain('22/6/2022');
    },
  );

  it.each(['Ai là Trưởng Ban Chỉ đạo phòng, chống tham nhũng tỉnh Bình Dương?', 'ai la truong ban chi dao phong chong tham nhung binh duong'])(
    '"%s", naming a former province, is answered for it with what it is part of now',
    async (q) => {
      const b = await chat(q);
      expect(b.reply).toMatch(/^Về Bình Dương \(nay thuộc TP\. Hồ Chí Minh từ 1\/7\/2025\), theo các nguồn tôi có:/);
      expect(b.reply).toContain('Nguyễn Văn Lợi');
      expect(b.reply).toContain('Theo tin ngày');
    },
  );

  it.each(['Chủ tịch UBND tỉnh Bình Dương hiện nay là ai?', 'chu tich ubnd tinh binh duong hien nay la ai'])(
    '"%s", a question about today that only old sources answer, says the sources are old',
    async (q) => {
      const b = await chat(q);
      expect(b.found).toBe(true);
      expect(b.reply).toMatch(/Lưu ý: bạn hỏi về hiện nay, nhưng nguồn tôi có cho câu này là tin cũ \(mới nhất ngày \d+\/\d+\/20(21|22|23)\)/);
      expect(b.reply).toContain('Theo tin ngày');
    },
  );

  it('does not frame or caution an answer from a recent source', async () => {
    const b = await chat('Trung tâm Phục vụ hành chính công TP.HCM hiện ở đâu?');
    expect(b.reply).toContain('43 đường Nguyễn Văn Bá');
    expect(b.reply).not.toContain('Theo tin ngày');
    expect(b.reply).not.toContain('tin cũ');
  });
});

describe('a generated answer from old sources', () => {
  const fake = useFakeOpenAI();

  it('keeps the model\'s words and adds what the place is now and that the sources are old', async () => {
    const t = makeTestApp({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL }, today);
    fake.script({ json: { answer: 'Theo tin cũ, Chủ tịch UBND tỉnh Bình Dương là ông Võ Văn Minh [1].', citations: [1], answerable: true } });
    const res = await t.request('/api/chat', postJson({ message: 'chu tich ubnd tinh binh duong hien nay la ai' }));
    const b = (await res.json()) as ChatBody;
    expect(b.reply).toContain('ông Võ Văn Minh [1]');
    expect(b.reply).toContain('Lưu ý: Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025).');
    expect(b.reply).toMatch(/Lưu ý: bạn hỏi về hiện nay, nhưng nguồn tôi có cho câu này là tin cũ/);
  });
});

describe('where the assistant sends a citizen', () => {
  it('names the profile\'s service centres, hotline and portal when it does not know, and no district office', async () => {
    const b = await chat('quy trình nuôi cá tra xuất khẩu');
    expect(b.found).toBe(false);
    expect(b.reply).toContain('43 Nguyễn Văn Bá, phường Thủ Đức');
    expect(b.reply).toContain('109 Nguyễn Trãi, phường Ninh Kiều');
    expect(b.reply).toContain('1022 (TP. Hồ Chí Minh)');
    expect(b.reply).toContain('TP. Cần Thơ: chưa xác minh được');
    expect(b.reply).toContain('dichvucong.gov.vn');
    expect(b.reply).toContain('Giờ làm việc của các trung tâm: chưa có thông tin đã xác minh');
    expect(b.reply).not.toMatch(/huyện|\{\{/);
  });

  it('greets as the assistant for the area the profile serves', async () => {
    const b = await chat('/start');
    expect(b.reply).toContain('cho Bình Dương (nay thuộc TP. Hồ Chí Minh từ 1/7/2025) và Hậu Giang (nay thuộc TP. Cần Thơ từ 1/7/2025)');
  });
});
