import { describe, expect, it } from 'vitest';
import { redact, withoutPlaceholders } from '../../src/llm/redact';

describe('redact', () => {
  it('masks a 12-digit CCCD and a 9-digit CMND', () => {
    expect(redact('CCCD 079123456789 và CMND 123456789').text).toBe('CCCD [số CCCD] và CMND [số CMND]');
  });

  it('masks phone numbers written in the usual ways', () => {
    for (const p of ['0912345678', '0912 345 678', '+84 912 345 678', '091.234.5678', '84912345678']) {
      expect(redact(`gọi ${p} nhé`).text).toBe('gọi [số điện thoại] nhé');
    }
  });

  it('masks e-mails and account numbers and says what it found', () => {
    const r = redact('mail a.b@gmail.com, STK 1903 4567 8901 2345');
    expect(r.text).toBe('mail [email], STK [số tài khoản]');
    expect(r.found.sort()).toEqual(['account', 'email']);
  });

  it('leaves dates, years, codes and percentages alone', () => {
    const s = 'Chỉ thị 22-CT/TU ngày 22/6/2022, giai đoạn 2021-2025, đạt 85,52%, 1.711 biên chế, trước 30.9.2023';
    expect(redact(s).text).toBe(s);
  });
});

describe('redact, numbers written in groups', () => {
  it('masks a CCCD or CMND written in groups of three whole, not half as a phone', () => {
    expect(redact('CCCD 079 123 456 789 nhé').text).toBe('CCCD [số CCCD] nhé');
    expect(redact('CMND 123.456.789').text).toBe('CMND [số CMND]');
    expect(redact('gọi +84 912 345 678').text).toBe('gọi [số điện thoại]');
  });

  it('removes the placeholders for searching', () => {
    expect(withoutPlaceholders('số [số CCCD] mất, gọi [số điện thoại] hoặc [email]')).toBe('số mất, gọi hoặc');
  });
});
