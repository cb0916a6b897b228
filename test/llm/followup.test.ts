import { describe, expect, it } from 'vitest';
import { heuristicStandalone, looksLikeFollowUp, previousQuestion } from '../../src/llm/followup';
import type { Turn } from '../../src/core/conversation';

const turn = (role: Turn['role'], text: string, intent?: string): Turn => ({ role, text, at: 0, ...(intent ? { intent } : {}) });

describe('looksLikeFollowUp', () => {
  it.each(['còn cấp xã thì sao?', 'con cap xa thi sao', 'Thế còn lệ phí?', 'vậy nộp ở đâu?', 'nó ban hành khi nào?', 'what about fees?', 'bao lâu?'])(
    'recognises a follow-up: %s',
    (q) => expect(looksLikeFollowUp(q)).toBe(true),
  );

  it.each([
    'Chỉ thị 22-CT/TU ban hành ngày nào?',
    'thủ tục đăng ký khai sinh cần giấy tờ gì',
    'Bình Dương xếp hạng PAR Index 2022 thứ mấy trong cả nước và tăng bao nhiêu bậc so với năm trước',
  ])('takes a standalone question as it is: %s', (q) => expect(looksLikeFollowUp(q)).toBe(false));
});

describe('previousQuestion', () => {
  it('finds the last question that an answer followed', () => {
    const history = [turn('user', 'q1'), turn('assistant', 'a1', 'ask'), turn('user', 'q2'), turn('assistant', 'a2', 'ask')];
    expect(previousQuestion(history)).toBe('q2');
  });

  it('does not continue from a command such as /help', () => {
    expect(previousQuestion([turn('user', '/help'), turn('assistant', 'lệnh…', 'help')])).toBeUndefined();
  });

  it('has nothing to continue in a new chat', () => {
    expect(previousQuestion([])).toBeUndefined();
  });
});

describe('heuristicStandalone', () => {
  it('joins the previous subject with the new detail and drops the filler', () => {
    expect(heuristicStandalone('Mục tiêu số hóa hồ sơ cấp tỉnh là bao nhiêu?', 'còn cấp xã thì sao?')).toBe(
      'Mục tiêu số hóa hồ sơ cấp tỉnh là bao nhiêu cấp xã',
    );
  });
});
