/**
 * multipart/form-data uploads for `POST /v1/rag/collections/{c}/documents`, parsed with busboy
 * from a body already read under the upload limit. Every file part becomes one upload; plain
 * fields `id` (single-file uploads only), `metadata` (a JSON object) and `type` apply to them all.
 * A file over the per-file limit is a 413 (busboy truncates it; a truncated document is never
 * ingested). Nothing is loaded or written here: the caller validates all of it first.
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { ConduitError } from '../../core/errors.js';

export interface UploadedFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartUpload {
  files: UploadedFile[];
  fields: Record<string, string>;
}

export const MAX_UPLOAD_FILES = 100;

export function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data\s*;/i.test(contentType.trim());
}

export function parseMultipart(body: Buffer, contentType: string, limits: { fileBytes: number }): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fileSize: limits.fileBytes, files: MAX_UPLOAD_FILES, fields: 20, fieldSize: 64 * 1024 },
        defParamCharset: 'utf8',
      });
    } catch (err) {
      reject(new ConduitError('invalid_request', `Malformed multipart request: ${(err as Error).message}`, { code: 'invalid_multipart' }));
      return;
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    let failure: ConduitError | undefined;
    const fail = (err: ConduitError) => {
      failure ??= err;
    };
    parser.on('file', (_name, stream, info) => {
      const parts: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      stream.on('limit', () =>
        fail(
          new ConduitError('payload_too_large', `File '${info.filename}' is larger than the upload limit of ${limits.fileBytes} bytes`, {
            code: 'upload_too_large',
            param: 'file',
          }),
        ),
      );
      stream.on('close', () => files.push({ filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(parts) }));
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ConduitError('invalid_request', `Form field '${name}' is too long`, { code: 'invalid_multipart', param: name }));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new ConduitError('invalid_request', `At most ${MAX_UPLOAD_FILES} files per upload`, { code: 'too_many_files', param: 'file' })));
    parser.on('error', (err: Error) => reject(new ConduitError('invalid_request', `Malformed multipart request: ${err.message}`, { code: 'invalid_multipart', cause: err })));
    parser.on('close', () => (failure ? reject(failure) : resolve({ files, fields })));
    Readable.from([body]).pipe(parser);
  });
}
