/**
 * Finds the caller's credential in request headers, without judging it. OpenAI clients send
 * `Authorization: Bearer <key>`; Anthropic clients send `x-api-key: <key>` (and, configured with an
 * auth token, `Authorization: Bearer`). A value with three dot-separated base64url parts is a JWT;
 * anything else is treated as a virtual key (and rejected later if it is not one).
 */
export type Credential =
  | { type: 'key' | 'jwt'; value: string; source: 'authorization' | 'x-api-key' }
  | { type: 'none' };

/** Node's IncomingHttpHeaders, a plain record, or a fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    // Plain records may keep the client's capitalisation.
    for (const [k, v] of Object.entries(record)) {
      if (k.toLowerCase() === name) {
        value = v;
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

function classify(value: string, source: 'authorization' | 'x-api-key'): Credential {
  return { type: JWT_SHAPE.test(value) ? 'jwt' : 'key', value, source };
}

export function extractCredential(headers: HeaderSource): Credential {
  const authorization = header(headers, 'authorization')?.trim();
  if (authorization !== undefined && authorization !== '') {
    const m = BEARER.exec(authorization);
    if (m !== null) return classify(m[1]!, 'authorization');
  }
  const apiKey = header(headers, 'x-api-key')?.trim();
  if (apiKey !== undefined && apiKey !== '') return classify(apiKey, 'x-api-key');
  return { type: 'none' };
}
