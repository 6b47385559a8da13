/**
 * HTTP plumbing over uWebSockets.js: one `Exchange` per request holding what
 * was read from the request synchronously (uWS invalidates `req` once the
 * handler returns), abort tracking, bounded body reading, and JSON replies
 * written corked (uWS requires cork for writes outside its own callbacks).
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { QgtmError } from '../src/errors.js';
import { UntrustedInputError, parseJsonBounded } from '../src/runtime/untrusted.js';

/** Request bodies are flat command objects: anything nested deeper is refused before it is built. */
export const MAX_BODY_DEPTH = 8;

/** A request failure with its HTTP status and a stable reason (metrics label). */
export class HttpError extends QgtmError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: readonly string[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
  /** Short metrics label: the code without its prefix, lower-case. */
  get reason(): string {
    return this.code.replace(/^QGTM_ERR_/, '').toLowerCase();
  }
}

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  202: 'Accepted',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? 'Unknown'}`;
}

export interface Reply {
  readonly status: number;
  readonly body: string | Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Send headers only (HEAD, 304). */
  readonly noBody?: boolean;
}

/** What the gateway needs from a request, read synchronously. */
export class Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorization: string;
  readonly contentType: string;
  readonly contentLength: number | null;
  readonly ifNoneMatch: string;
  readonly idempotencyKey: string;
  readonly startedAt = process.hrtime.bigint();
  aborted = false;
  done = false;
  /** Route label for metrics (the pattern, never the raw path). */
  route = 'unmatched';
  private body: Promise<Buffer> | null = null;
  /** 'reading' or 'failed' at reply time means unread body bytes may follow: the connection is closed. */
  private bodyState: 'none' | 'reading' | 'done' | 'failed' = 'none';

  constructor(
    readonly res: HttpResponse,
    req: HttpRequest,
  ) {
    this.method = req.getMethod().toUpperCase();
    this.path = req.getUrl();
    this.query = req.getQuery() ?? '';
    this.authorization = req.getHeader('authorization');
    this.contentType = req.getHeader('content-type');
    const cl = req.getHeader('content-length');
    this.contentLength = cl === '' ? null : /^\d+$/.test(cl) ? Number(cl) : NaN;
    this.ifNoneMatch = req.getHeader('if-none-match');
    this.idempotencyKey = req.getHeader('idempotency-key');
    res.onAborted(() => {
      this.aborted = true;
    });
  }

  /** A query parameter (decoded), or null. */
  param(name: string): string | null {
    return new URLSearchParams(this.query).get(name);
  }

  /**
   * Starts reading the body; must be called before the handler first awaits.
   * Rejects with 413 as soon as the declared or received size passes `limit`.
   */
  readBody(limit: number): Promise<Buffer> {
    if (this.body) return this.body;
    this.bodyState = 'reading';
    this.body = new Promise<Buffer>((resolve, reject) => {
      if (Number.isNaN(this.contentLength)) {
        this.bodyState = 'failed';
        reject(new HttpError(400, 'QGTM_ERR_BAD_REQUEST', 'Content-Length is not a number'));
        return;
      }
      if (this.contentLength !== null && this.contentLength > limit) {
        this.bodyState = 'failed';
        reject(tooLarge(limit, this.contentLength));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      this.res.onData((chunk, isLast) => {
        if (failed) return;
        size += chunk.byteLength;
        if (size > limit) {
          failed = true;
          this.bodyState = 'failed';
          reject(tooLarge(limit, size));
          return;
        }
        // uWS reuses the chunk's memory after this callback returns: copy it.
        chunks.push(Buffer.copyBytesFrom(new Uint8Array(chunk)));
        if (isLast) {
          this.bodyState = 'done';
          resolve(Buffer.concat(chunks, size));
        }
      });
    });
    // The handler may never await it (e.g. after a 401); do not let that be an unhandled rejection.
    this.body.catch(() => undefined);
    return this.body;
  }

  /** Writes the reply unless the client is gone or a reply was already sent. Returns false when nothing was written. */
  send(reply: Reply, closeConnection = false): boolean {
    if (this.aborted || this.done) return false;
    this.done = true;
    const close = closeConnection || this.bodyState === 'reading' || this.bodyState === 'failed';
    this.res.cork(() => {
      this.res.writeStatus(statusLine(reply.status));
      for (const [k, v] of Object.entries(reply.headers)) this.res.writeHeader(k, v);
      // A HEAD answer to what would have had a body reports that body's length (keeps the connection reusable).
      if (reply.noBody) this.res.endWithoutBody(reply.body.length > 0 ? Buffer.byteLength(reply.body) : undefined, close);
      else this.res.end(reply.body, close);
    });
    return true;
  }
}

function tooLarge(limit: number, size: number): HttpError {
  return new HttpError(413, 'QGTM_ERR_PAYLOAD_TOO_LARGE', `request body of ${size} bytes exceeds the limit of ${limit} bytes`);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

export function jsonReply(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Reply {
  return { status, body: JSON.stringify(body), headers: { ...JSON_HEADERS, ...headers } };
}

/** The JSON error body every failure gets. */
export function errorReply(err: HttpError): Reply {
  const error: Record<string, unknown> = { code: err.code, status: err.status, message: err.message };
  if (err.details.length > 0) error.details = err.details;
  return jsonReply(err.status, { error }, err.headers);
}

/**
 * Parses a JSON object body. Malformed JSON and non-objects are 400s that say
 * what was wrong. The body is read as JSON when the content type is JSON,
 * absent, or one of the defaults of curl -d and fetch (form-urlencoded,
 * text/plain); anything else (multipart, binary) is 415.
 */
export function parseJsonObject(ex: Exchange, body: Buffer): Record<string, unknown> {
  const ct = ex.contentType.toLowerCase();
  if (ct !== '' && !/^(application\/([\w.+-]+\+)?json|text\/plain|application\/x-www-form-urlencoded)\b/.test(ct)) {
    throw new HttpError(415, 'QGTM_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got ${ex.contentType}`);
  }
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonBounded(body, { maxDepth: MAX_BODY_DEPTH, maxBytes: body.length });
  } catch (err) {
    if (!(err instanceof UntrustedInputError)) throw err;
    if (err.reason === 'prototype_key') {
      // Reported like any other unknown field (the key is not echoed).
      const problem = 'unknown field (__proto__, constructor and prototype are not fields)';
      throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `invalid request body: ${problem}`, [problem]);
    }
    throw new HttpError(400, 'QGTM_ERR_BAD_JSON', `request body is not valid: ${err.message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}
