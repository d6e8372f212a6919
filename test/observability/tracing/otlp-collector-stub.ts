/** A local OTLP/HTTP collector: accepts `POST /v1/traces` JSON bodies and keeps every span received. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OtlpSpan, OtlpTraceRequest } from '../../../src/observability/tracing/otlp-json.js';

export interface CollectorStub {
  url: string;
  spans: OtlpSpan[];
  requests: { path: string; contentType: string | undefined; body: OtlpTraceRequest }[];
  close(): Promise<void>;
}

export async function startCollectorStub(): Promise<CollectorStub> {
  const spans: OtlpSpan[] = [];
  const requests: CollectorStub['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest;
      requests.push({ path: req.url, contentType: req.headers['content-type'], body });
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function attr(span: OtlpSpan, key: string): string | number | boolean | (string | number)[] | undefined {
  const kv = span.attributes.find((a) => a.key === key);
  if (kv === undefined) return undefined;
  const v = kv.value;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return v.arrayValue?.values.map((x) => x.stringValue ?? Number(x.intValue ?? x.doubleValue));
}
