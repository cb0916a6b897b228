/** Reading which part of a procedure a question asks about, with or without diacritics. */
import { describe, expect, it } from 'vitest';
import { fieldFromKey, readIntent, subjectParts } from '../../src/procedures/intent';

describe('readIntent', () => {
  it.each([
    ['làm căn cước mất bao lâu', ['time'], 'làm căn cước'],
    ['lam can cuoc mat bao lau', ['time'], 'lam can cuoc'],
    ['le phi dang ky ho kinh doanh', ['fee'], 'dang ky ho kinh doanh'],
    ['Đăng ký kết hôn cần giấy tờ gì?', ['documents'], 'đăng ký kết hôn cần'],
    ['làm hộ chiếu hết bao nhiêu tiền', ['fee'], 'làm hộ chiếu'],
    ['xin lý lịch tư pháp mất mấy ngày', ['time'], 'xin lý lịch tư pháp'],
    ['đăng ký tạm trú nộp ở đâu', ['where'], 'đăng ký tạm trú'],
    ['đăng ký thường trú online được không', ['online'], 'đăng ký thường trú được không'],
    ['các bước đăng ký khai sinh', ['steps'], 'đăng ký khai sinh'],
    ['how long does a passport take', ['time'], 'does a passport take'],
  ])('%s → %j', (question, fields, subject) => {
    const intent = readIntent(question);
    expect(intent.fields).toEqual(fields);
    expect(intent.subject).toBe(subject);
  });

  it('reads "mất bao nhiêu ngày" as time and "mất bao nhiêu tiền" as fee', () => {
    expect(readIntent('làm sổ đỏ mất bao nhiêu ngày').fields).toEqual(['time']);
    expect(readIntent('làm sổ đỏ mất bao nhiêu tiền').fields).toEqual(['fee']);
  });

  it('finds several fields in one question', () => {
    expect(readIntent('khai sinh ở đâu, lệ phí bao nhiêu').fields).toEqual(['fee', 'where']);
  });

  it('does not read "phiếu" as a fee or "thẻ nào" as a question about steps', () => {
    expect(readIntent('phiếu lý lịch tư pháp').fields).toEqual([]);
    expect(readIntent('căn cước là thẻ nào').fields).toEqual([]);
  });

  it('keeps a comma that may part two procedures, and drops stray punctuation', () => {
    expect(readIntent('Tạm trú, tạm vắng nộp ở đâu?').subject).toBe('tạm trú, tạm vắng');
    expect(readIntent('khai sinh ở đâu, lệ phí?').subject).toBe('khai sinh');
    expect(readIntent('làm căn cước; mất bao lâu?').subject).toBe('làm căn cước');
  });

  it('parts a subject that names two procedures, with or without a word between them', () => {
    expect(subjectParts('khai sinh và khai tử')).toEqual(['khai sinh', 'khai tử']);
    expect(subjectParts('tạm trú, tạm vắng')).toEqual(['tạm trú', 'tạm vắng']);
    // No "và" and no comma: the second name starts where the first one's opening word comes back.
    expect(subjectParts('tạm trú tạm vắng')).toEqual(['tạm trú', 'tạm vắng']);
    expect(subjectParts('tam tru tam vang')).toEqual(['tam tru', 'tam vang']);
    expect(subjectParts('đăng ký khai sinh đăng ký khai tử')).toEqual(['đăng ký khai sinh', 'đăng ký khai tử']);
    expect(subjectParts('làm tạm trú tạm vắng')).toEqual(['làm tạm trú', 'tạm vắng']);
    // One name: one part ("lại" is not the opening word of anything).
    expect(subjectParts('cấp lại thẻ căn cước')).toEqual(['cấp lại thẻ căn cước']);
    expect(subjectParts('tạm trú')).toEqual(['tạm trú']);
  });

  it('notices generic procedure words', () => {
    expect(readIntent('thủ tục đăng ký xe').procedureCue).toBe(true);
    expect(readIntent('chỉ số PAR Index năm 2022').procedureCue).toBe(false);
  });
});

describe('fieldFromKey', () => {
  it('maps button words back to fields and ignores others', () => {
    expect(fieldFromKey('giayto')).toBe('documents');
    expect(fieldFromKey('PHI')).toBe('fee');
    expect(fieldFromKey('abc')).toBeUndefined();
  });
});
