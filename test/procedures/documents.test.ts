/** Procedure records as knowledge documents: valid documents, one section per field, nothing invented. */
import { describe, expect, it } from 'vitest';
import { DocumentSchema } from '../../src/knowledge/schema';
import { chunkDocument } from '../../src/knowledge/parse';
import { procedureDocument, procedureDocuments } from '../../src/procedures/documents';
import { bundledProcedures } from '../../src/procedures/load';
import { fullRecord, sparseRecord } from './fixtures/records';

describe('procedureDocument', () => {
  it('turns every bundled record into a valid procedure document', () => {
    for (const d of procedureDocuments(bundledProcedures())) {
      expect(DocumentSchema.safeParse(d).success, d.id).toBe(true);
      expect(d.kind).toBe('procedure');
    }
  });

  it('puts each field under its own heading, so a passage answers one question', () => {
    const chunks = chunkDocument(procedureDocument(fullRecord));
    expect(chunks.map((c) => c.heading)).toEqual(['Lĩnh vực', 'Nơi làm', 'Thời hạn giải quyết', 'Lệ phí', 'Nộp hồ sơ', 'Giấy tờ', 'Các bước', 'Lưu ý']);
    expect(chunks.find((c) => c.heading === 'Lệ phí')!.text).toBe('Trực tiếp: 20.000 đồng.\nTrực tuyến: 10.000 đồng.');
    expect(procedureDocument(fullRecord).title).toBe('Đăng ký ví dụ (mã 9.000001)');
  });

  it('leaves out sections the record does not hold, and is still a valid document', () => {
    const d = procedureDocument(sparseRecord);
    expect(d.text).toBe('## Lĩnh vực\nHộ tịch');
    expect(DocumentSchema.safeParse(d).success).toBe(true);
  });
});
