/**
 * The built-in `http_get` tool: fetches a URL, but only from hosts on an allow-list. Redirects are
 * followed by hand (at most 5) so each hop's host is checked too: a redirect to a host that is not
 * allowed is refused, never followed. The body is read up to `maxBytes` (the rest is cut and the
 * model told so) within `timeoutMs`.
 */
import { request } from 'undici';
import { z } from 'zod';
import type { AgentTool } from '../tool.js';
import { defineTool } from './define-tool.js';

export interface HttpGetToolOptions {
  /** Hostnames (`api.example.com`), `host:port`, or `*.example.com` (any subdomain, not the apex). */
  allowedHosts: readonly string[];
  /** Default 10 s for the whole fetch, redirects included. */
  timeoutMs?: number;
  /** Default 100 000 bytes of body. */
  maxBytes?: number;
  maxRedirects?: number;
  name?: string;
}

export const HTTP_GET_TOOL_NAME = 'http_get';

export function createHttpGetTool(options: HttpGetToolOptions): AgentTool {
  const allowed = options.allowedHosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 100_000;
  const maxRedirects = options.maxRedirects ?? 5;
  return defineTool({
    name: options.name ?? HTTP_GET_TOOL_NAME,
    description: `Fetches a web page or API response with HTTP GET and returns its status and body text. Only these hosts are allowed: ${allowed.join(', ') || '(none)'}.`,
    schema: z.object({ url: z.string().min(1).max(4096).describe('An http(s) URL on an allowed host') }),
    // The tool enforces its own deadline; the loop's timeout is only a backstop.
    timeoutMs: timeoutMs + 1000,
    async execute({ url }, context) {
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      let current: URL;
      try {
        current = new URL(url);
      } catch {
        return { content: `'${url}' is not a valid URL.`, isError: true };
      }
      for (let hop = 0; ; hop++) {
        const refusal = checkUrl(current, allowed);
        if (refusal !== undefined) return { content: hop === 0 ? refusal : `Refused to follow a redirect to ${current.href}: ${refusal}`, isError: true, data: { refused: true, url: current.href } };
        let response: Awaited<ReturnType<typeof request>>;
        try {
          response = await request(current, { method: 'GET', signal, headers: { accept: 'text/*, application/json;q=0.9, */*;q=0.5', 'user-agent': 'conduit-agent/0.1' } });
        } catch (err) {
          return { content: `GET ${current.href} failed: ${signal.aborted && !context.signal.aborted ? `timed out after ${timeoutMs} ms` : err instanceof Error ? err.message : String(err)}`, isError: true };
        }
        const location = headerValue(response.headers.location);
        if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
          await response.body.dump().catch(() => undefined);
          if (hop >= maxRedirects) return { content: `GET ${url} failed: more than ${maxRedirects} redirects`, isError: true };
          current = new URL(location, current);
          continue;
        }
        const { text, truncated } = await readLimited(response.body, maxBytes, signal).catch((err: unknown) => ({ text: `(body could not be read: ${err instanceof Error ? err.message : String(err)})`, truncated: false }));
        const contentType = headerValue(response.headers['content-type']) ?? 'unknown';
        const note = truncated ? `\n[body truncated at ${maxBytes} bytes]` : '';
        return {
          content: `HTTP ${response.statusCode} (${contentType}) from ${current.href}\n\n${text}${note}`,
          isError: response.statusCode >= 400,
          data: { url: current.href, status: response.statusCode, contentType, truncated },
        };
      }
    },
  });
}

/** Why a URL may not be fetched; undefined when it may. */
export function checkUrl(url: URL, allowedHosts: readonly string[]): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs are allowed, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') return 'URLs with credentials are not allowed';
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const ok = allowedHosts.some((entry) => {
    if (entry.startsWith('*.')) return hostname.endsWith(entry.slice(1)) && hostname.length > entry.length - 1;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !entry.includes(']') && (entry.match(/:/g) ?? []).length === 1) return hostname === m[1] && port === m[2];
    return hostname === entry.replace(/^\[|\]$/g, '');
  });
  return ok ? undefined : `host '${url.host}' is not on the allow-list (${allowedHosts.join(', ') || 'empty'})`;
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number, signal: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (signal.aborted) throw new Error('timed out while reading the body');
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
