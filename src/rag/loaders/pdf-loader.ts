/**
 * PDF text layer through Mozilla's PDF.js (`pdfjs-dist`, legacy build: the one meant for Node, run
 * with its in-process "fake worker"). 5.6 is the newest release that supports Node 20. Scanned
 * pages have no text layer; a PDF with no text at all is an empty document, not an OCR job.
 *
 * Pages are joined by a blank line and their start offsets are kept (`pageOffsets`), so chunkers
 * can say which page a chunk starts on.
 */
import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import { ConduitError } from '../../core/errors.js';
import type { Metadata, RagDocument } from '../types.js';
import { emptyDocumentError, makeDocument, normaliseNewlines, type SourceContext } from './source-context.js';

type PdfJs = typeof PdfJsModule;
let pdfjs: Promise<PdfJs> | undefined;

/** Imported on first use: half a second of module loading that only PDF ingestion should pay. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs').catch((err: unknown) => {
    pdfjs = undefined;
    throw err;
  });
  return pdfjs;
}

export async function loadPdfContent(data: Uint8Array, ctx: SourceContext): Promise<RagDocument[]> {
  const { getDocument } = await loadPdfJs();
  // PDF.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = getDocument({ data: new Uint8Array(data), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  let pdf: Awaited<typeof task.promise>;
  try {
    pdf = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw pdfError(err, ctx.id);
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue; // marked-content boundaries carry no text
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push(normaliseNewlines(text).replace(/[ \t]+\n/g, '\n').trim());
      page.cleanup();
    }
    const pageOffsets: number[] = [];
    let text = '';
    for (const page of pages) {
      if (text.length > 0) text += '\n\n';
      pageOffsets.push(text.length);
      text += page;
    }
    if (text.trim().length === 0) throw emptyDocumentError(`'${ctx.id}' (the PDF has no text layer)`);
    const metadata: Metadata = { format: 'text', pages: pdf.numPages, pageOffsets };
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as Record<string, unknown> | undefined;
    const title = typeof info?.Title === 'string' ? info.Title.trim() : '';
    metadata.title = title || (pages.find((p) => p.length > 0)?.split('\n')[0]?.trim().slice(0, 120) ?? '');
    if (typeof info?.Author === 'string' && info.Author.trim()) metadata.author = info.Author.trim();
    return [makeDocument(ctx, ctx.id, text, metadata)];
  } finally {
    await pdf.destroy();
  }
}

function pdfError(err: unknown, id: string): ConduitError {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') {
    return new ConduitError('invalid_request', `The PDF '${id}' is encrypted`, { code: 'encrypted_pdf', cause: err });
  }
  return new ConduitError('invalid_request', `The file '${id}' is not a readable PDF: ${message}`, { code: 'invalid_pdf', cause: err });
}
