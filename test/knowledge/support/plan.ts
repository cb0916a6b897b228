/**
 * The document the living-knowledge tests publish: a plan with one fact no bundled document
 * holds (the centre opens on Saturday mornings, from 7:30), the question it answers, a second
 * version with other hours, and the multipart form an upload sends.
 */
export const PLAN_V1 = `ỦY BAN NHÂN DÂN
THÀNH PHỐ CẦN THƠ

Số: 412/KH-UBND

Cần Thơ, ngày 03 tháng 11 năm 2026

KẾ HOẠCH
Về việc phục vụ người dân ngoài giờ hành chính

I. MỤC ĐÍCH
1. Trung tâm Phục vụ hành chính công thành phố tiếp nhận hồ sơ vào sáng thứ Bảy hằng tuần, từ 7 giờ 30 đến 11 giờ 30.
2. Người dân được hướng dẫn nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia.

II. TỔ CHỨC THỰC HIỆN
Văn phòng Ủy ban nhân dân thành phố theo dõi, đôn đốc thực hiện Kế hoạch này.
`;

export const PLAN_V2 = PLAN_V1.replace('từ 7 giờ 30 đến 11 giờ 30', 'từ 8 giờ 00 đến 12 giờ 00');

export const PLAN_QUESTION = 'Trung tâm phục vụ hành chính công có tiếp nhận hồ sơ sáng thứ bảy không, từ mấy giờ?';

/** A multipart upload of `content` as `filename`, with form fields. */
export function uploadForm(content: string | Uint8Array, filename: string, fields: Record<string, string> = {}, type = 'text/plain'): FormData {
  const fd = new FormData();
  fd.set('file', new File([content as BlobPart], filename, { type }));
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
}
