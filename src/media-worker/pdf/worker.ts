/**
 * @module media-worker/pdf/worker
 * The PDF reader Worker's entry (deployed from src/media-worker/pdf/wrangler.toml as
 * tro-ly-cchc-pdf-reader): PDF.js (through unpdf), about 550 KiB gzipped, lives here so the
 * assistant Worker stays under its 1 MB gzipped target (issue #17); it is apart from the chart
 * renderer because the two together are over that target too. The assistant reaches it only
 * through its PDF_READER service binding (media-worker/client); it has no public route.
 */
import { extractPdf } from '../../knowledge/extract/pdf';
import { mediaHandler } from '../handler';
import { pdfTextRoute } from '../pdf-route';

const handler = mediaHandler(pdfTextRoute(extractPdf));

export default {
  fetch(request: Request): Promise<Response> {
    return handler.fetch(request);
  },
};
