/**
 * The RAG HTTP API on `conduit serve` (an AppRoutes group):
 *
 *   POST   /v1/rag/collections                      {name, description?}            → 201 collection
 *   GET    /v1/rag/collections                                                       → {object: 'list', data}
 *   GET    /v1/rag/collections/{c}                                                   → collection
 *   POST   /v1/rag/collections/{c}/documents        JSON {documents:[…]} | {text,…}, or multipart files → 201 ingestion
 *   DELETE /v1/rag/collections/{c}/documents/{id}                                    → {id, deleted: true, chunks}
 *   POST   /v1/rag/query                            {query, collection, top_k?, strategy?, filters?} → answer + sources
 *   POST   /v1/rag/feedback                         {query, strategy, score (0-1) | thumbs (up|down), comment?} → 201 recorded
 *
 * Each request is parsed and validated completely (body, file types, empty documents, collection)
 * before the service writes anything, so every 4xx leaves the collections as they were.
 */
import { ConduitError } from '../../core/errors.js';
import { parseJsonBody } from '../../gateway/body.js';
import { pathSegments, readRawBody, type AppRoutes } from '../../gateway/app-routes.js';
import type { RequestContext } from '../../gateway/context.js';
import { loadBuffer, loadString } from '../loaders/index.js';
import type { RagDocument } from '../types.js';
import { isMultipart, parseMultipart } from './multipart-upload.js';
import { addDocumentsSchema, createCollectionSchema, feedbackSchema, feedbackScore, parseMetadataField, querySchema, toMetadataFilter, uploadFieldsSchema, validate, type DocumentInput } from './rag-requests.js';
import { answerBody, collectionBody, ingestionBody } from './rag-responses.js';
import type { RagService } from './rag-service.js';

const PREFIX = '/v1/rag';
/** Default upload limit: 10 MiB per request (a few large PDFs or Markdown folders' worth). */
export const DEFAULT_RAG_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** Multipart framing and form fields on top of the file bytes themselves. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface RagRoutesOptions {
  /** Largest document upload (JSON or multipart) in bytes; default 10 MiB. */
  uploadLimitBytes?: number;
  /** Close the service (and its store) when the gateway closes; default true. */
  closeService?: boolean;
}

/**
 * `source` is the service, or a function opening it on the first request (so `conduit serve`
 * creates no storage until RAG is used; a failed open is retried on the next request).
 */
export function createRagRoutes(source: RagService | (() => Promise<RagService>), options: RagRoutesOptions = {}): AppRoutes {
  const uploadLimit = options.uploadLimitBytes ?? DEFAULT_RAG_UPLOAD_LIMIT_BYTES;
  let opened: Promise<RagService> | undefined = typeof source === 'function' ? undefined : Promise.resolve(source);
  const open = (): Promise<RagService> => {
    if (typeof source !== 'function') return Promise.resolve(source);
    opened ??= source().catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
  return {
    name: 'rag',
    matches: (path) => path === PREFIX || path.startsWith(`${PREFIX}/`),
    async handle(ctx, path) {
      const service = await open();
      const segments = pathSegments(path, PREFIX) ?? [];
      const method = ctx.req.method ?? 'GET';
      const [area, collection, sub, documentId, ...rest] = segments;
      if (area === 'query' && segments.length === 1) {
        requireMethod(method, 'POST');
        return query(ctx, service);
      }
      if (area === 'feedback' && segments.length === 1) {
        requireMethod(method, 'POST');
        return feedback(ctx, service);
      }
      if (area === 'collections' && rest.length === 0) {
        if (collection === undefined) {
          if (method === 'GET') return sendJson(ctx, 200, { object: 'list', data: (await service.listCollections()).map(collectionBody) });
          requireMethod(method, 'POST', 'GET');
          return createCollection(ctx, service);
        }
        if (sub === undefined) {
          requireMethod(method, 'GET');
          return sendJson(ctx, 200, collectionBody(await service.getCollection(collection)));
        }
        if (sub === 'documents' && documentId === undefined) {
          requireMethod(method, 'POST');
          return addDocuments(ctx, service, collection, uploadLimit);
        }
        if (sub === 'documents' && documentId !== undefined) {
          requireMethod(method, 'DELETE');
          const removed = await service.deleteDocument(collection, documentId);
          return sendJson(ctx, 200, { object: 'rag.document', id: removed.id, collection, deleted: true, chunks: removed.chunks });
        }
      }
      throw new ConduitError('not_found', `Unknown RAG route ${method} ${path}`, { code: 'unknown_route' });
    },
    async close() {
      if (options.closeService === false || opened === undefined) return;
      const service = await opened.catch(() => undefined);
      await service?.close();
    },
  };
}

async function createCollection(ctx: RequestContext, service: RagService): Promise<void> {
  const body = validate(createCollectionSchema, parseJsonBody(await readRawBody(ctx), ctx.gw.maxJsonDepth));
  const info = await service.createCollection(body.name, body.description === undefined ? {} : { description: body.description });
  sendJson(ctx, 201, collectionBody(info));
}

async function addDocuments(ctx: RequestContext, service: RagService, collection: string, uploadLimit: number): Promise<void> {
  // The collection is checked before the body is read, so a wrong name costs no upload.
  await service.getCollection(collection);
  const contentType = ctx.req.headers['content-type'];
  const documents = isMultipart(contentType)
    ? await documentsFromUpload(ctx, contentType ?? '', uploadLimit)
    : await documentsFromJson(ctx, uploadLimit);
  const summary = await service.ingest({ collection, documents });
  sendJson(ctx, 201, ingestionBody(collection, summary));
}

async function documentsFromJson(ctx: RequestContext, uploadLimit: number): Promise<RagDocument[]> {
  const raw = await readRawBody(ctx, uploadLimit);
  const body = validate(addDocumentsSchema, parseJsonBody(raw, ctx.gw.maxJsonDepth));
  const inputs: DocumentInput[] = 'documents' in body ? body.documents : [body];
  const documents: RagDocument[] = [];
  for (const [i, input] of inputs.entries()) {
    if (input.text.trim() === '') {
      throw new ConduitError('invalid_request', `Document ${input.id === undefined ? i : `'${input.id}'`} is empty: there is no text to ingest`, {
        code: 'empty_document',
        param: inputs.length === 1 && !('documents' in body) ? 'text' : `documents.${i}.text`,
      });
    }
    documents.push(
      ...(await loadString(input.text, {
        ...(input.id !== undefined ? { id: input.id } : {}),
        ...(input.type !== undefined ? { type: input.type } : {}),
        ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      })),
    );
  }
  return documents;
}

async function documentsFromUpload(ctx: RequestContext, contentType: string, uploadLimit: number): Promise<RagDocument[]> {
  const raw = await readRawBody(ctx, uploadLimit + MULTIPART_OVERHEAD_BYTES);
  const upload = await parseMultipart(raw, contentType, { fileBytes: uploadLimit });
  if (upload.files.length === 0) throw new ConduitError('invalid_request', 'The upload has no file part', { code: 'no_file', param: 'file' });
  const fields = validate(uploadFieldsSchema, upload.fields);
  if (fields.id !== undefined && upload.files.length > 1) {
    throw new ConduitError('invalid_request', "Field 'id' names one document; upload one file with it, or omit it to use the file names", { code: 'ambiguous_id', param: 'id' });
  }
  const metadata = parseMetadataField(fields.metadata);
  const documents: RagDocument[] = [];
  for (const file of upload.files) {
    if (file.data.length === 0) throw new ConduitError('invalid_request', `File '${file.filename}' is empty`, { code: 'empty_document', param: 'file' });
    documents.push(
      ...(await loadBuffer(file.data, {
        filename: file.filename,
        // Browsers send application/octet-stream for unknown types; the loader then goes by the extension.
        mimeType: file.mimeType,
        ...(fields.id !== undefined ? { id: fields.id } : {}),
        ...(fields.type !== undefined ? { type: fields.type } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      })),
    );
  }
  return documents;
}

async function query(ctx: RequestContext, service: RagService): Promise<void> {
  const body = validate(querySchema, parseJsonBody(await readRawBody(ctx), ctx.gw.maxJsonDepth));
  const filter = toMetadataFilter(body.filters);
  const answer = await service.query({
    collection: body.collection,
    query: body.query,
    ...(body.strategy !== undefined ? { strategy: body.strategy } : {}),
    ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
    ...(filter !== undefined ? { filter } : {}),
    signal: ctx.signal(),
  });
  sendJson(ctx, 200, answerBody(body.collection, answer));
}

async function feedback(ctx: RequestContext, service: RagService): Promise<void> {
  const body = validate(feedbackSchema, parseJsonBody(await readRawBody(ctx), ctx.gw.maxJsonDepth));
  const entry = await service.recordFeedback({
    query: body.query,
    strategy: body.strategy,
    score: feedbackScore(body),
    ...(body.comment !== undefined ? { comment: body.comment } : {}),
  });
  sendJson(ctx, 201, { object: 'rag.feedback', query: entry.query, query_type: entry.queryType, strategy: entry.strategy, score: entry.score, created_at: entry.at });
}

function requireMethod(method: string, ...allowed: string[]): void {
  if (!allowed.includes(method)) {
    throw new ConduitError('invalid_request', `Method ${method} is not allowed here (use ${allowed.join(' or ')})`, { status: 405, code: 'method_not_allowed' });
  }
}

function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  ctx.sendJson(status, JSON.stringify(body));
}
