import { describe, expect, it } from 'vitest';
import { redact, withoutPlaceholders } from '../../src/privacy/mask';

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

describe('redact, numbers the first version missed', () => {
  it('masks landlines, with or without the area code in brackets or +84', () => {
    for (const p of ['028 3829 1234', '0274 3822 123', '+84 28 3829 1234', '(028) 3829 1234', '02838291234', '0236.3822.123']) {
      const r = redact(`gọi ${p} nhé`);
      expect(r.text).toBe('gọi [số điện thoại] nhé');
      expect(r.found).toEqual(['phone']);
    }
  });

  it('masks numbers written in full-width or other Unicode digits', () => {
    expect(redact('gọi ０９１２３４５６７８ nhé').text).toBe('gọi [số điện thoại] nhé');
    expect(redact('CCCD ٠٧٩١٢٣٤٥٦٧٨٩').text).toBe('CCCD [số CCCD]');
    // Mixed scripts in one number, as a keyboard switch mid-number leaves them.
    expect(redact('SĐT 09１２ ३४५ ６७८').text).toBe('SĐT [số điện thoại]');
  });

  it('masks numbers split by zero-width and other invisible characters', () => {
    expect(redact('gọi 0912\u200b345\u200c678').text).toBe('gọi [số điện thoại]');
    expect(redact('CCCD 079\u2060123\ufeff456\u00ad789').text).toBe('CCCD [số CCCD]');
    expect(redact('STK 1903 \u200d 6543 2100 5').text).toBe('STK [số tài khoản]');
  });

  it('masks a grouped number whole, leaving no trailing group in clear', () => {
    expect(redact('STK 1903 6543 2100 12 nhé').text).toBe('STK [số tài khoản] nhé');
    expect(redact('số 079 123 456 789 12').text).toBe('số [số tài khoản]');
    expect(redact('gọi 0912 345 678 9 nhé').text).not.toMatch(/\d/);
  });

  it('masks any run of 8 or more digits written with spaces, dots or dashes', () => {
    for (const n of ['1234.5678', '12-34-56-78', '4321 8765', '98.765.432.101', '5 4 3 2 1 9 8 7']) {
      expect(redact(`mã ${n} của tôi`).text).toBe('mã [số tài khoản] của tôi');
    }
  });

  it('keeps money amounts followed by a currency word readable, and masks the same digits without one', () => {
    for (const s of ['lệ phí 12.000.000 đồng', 'giá 1.500.000.000 VNĐ', 'nộp 25.000.000đ', 'phí 1.500.000 đồng', 'phí 500.000 VND']) {
      expect(redact(s).text).toBe(s);
    }
    expect(redact('STK 12.000.000 nhé').text).toBe('STK [số tài khoản] nhé');
    expect(redact('số 12.000.000 để nhận').text).toBe('số [số tài khoản] để nhận');
  });

  it('keeps 8-digit dates and year ranges however they are written', () => {
    const s = 'từ 30.09.2023 đến 2023-12-31, ngày 01-07-2025, giai đoạn 2021 - 2025 và 2016–2020';
    expect(redact(s).text).toBe(s);
  });

  it('keeps a dossier code, whose date and sequence number are not a personal number', () => {
    const s = 'tra cứu hồ sơ 000.00.12.H42-250701-0001 và H42.22-250701-0012';
    expect(redact(s).text).toBe(s);
    // A code-like tail with no unit code is not a dossier code.
    expect(redact('số 0912-250701-0001').text).toBe('số [số tài khoản]');
  });

  it('leaves invisible characters away from numbers alone (emoji sequences stay whole)', () => {
    const family = '👨\u200d👩\u200d👧';
    expect(redact(`${family} gọi 0912345678`).text).toBe(`${family} gọi [số điện thoại]`);
  });
});
