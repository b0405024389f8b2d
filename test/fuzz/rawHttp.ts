/**
 * A minimal HTTP/1.1 client over a raw TCP socket, for requests that `fetch` and
 * `node:http` refuse to send: header values with control characters or bytes above 0x7f,
 * duplicate or missing headers, wrong or absent Content-Length, malformed chunked
 * framing, bodies cut short, any method and any request target.
 *
 * One connection per request (`Connection: close`); the answer is read until the server
 * closes, interim 1xx answers are skipped, chunked bodies are decoded.
 */
import { connect } from 'node:net';

/** How the body is framed on the wire. */
export type Framing =
  /** `Content-Length` of the body. */
  | { kind: 'length' }
  /** No `Content-Length` and no `Transfer-Encoding` (the body, if any, is sent anyway). */
  | { kind: 'none' }
  /** `Transfer-Encoding: chunked`, well formed, in chunks of `size` bytes. */
  | { kind: 'chunked'; size: number }
  /** A `Content-Length` that does not match the body (`declared` bytes). */
  | { kind: 'declared'; declared: string }
  /** Raw framing: the given header lines are sent and the body exactly as given. */
  | { kind: 'raw'; lines: string[] };

export interface RawRequest {
  method: string;
  /** The request target, sent as is (latin1). */
  target: string;
  /** Header lines in order; duplicates allowed; values are sent byte for byte (latin1). */
  headers: [string, string][];
  body: Buffer;
  framing: Framing;
  /** Leave out the Host header (HTTP/1.1 requires it). */
  noHost?: boolean;
  /** Half-close the connection right after writing (the body is cut short when `declared` exceeds it). */
  halfClose?: boolean;
}

export interface RawResponse {
  /** 0 when no answer came (connection closed or reset first, or timeout). */
  status: number;
  headers: Map<string, string[]>;
  body: Buffer;
  /** Why there is no answer, when status is 0. */
  failure?: string;
  /** Interim (1xx) statuses received before the final answer. */
  interim: number[];
  /** Bytes received after the first final answer (another answer, e.g. to a smuggled request). */
  trailing: number;
}

export function serialise(request: RawRequest, hostHeader: string): Buffer {
  const lines: string[] = [`${request.method} ${request.target} HTTP/1.1`];
  if (!request.noHost) lines.push(`Host: ${hostHeader}`);
  lines.push('Connection: close');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let body = request.body;
  switch (request.framing.kind) {
    case 'length':
      lines.push(`Content-Length: ${body.length}`);
      break;
    case 'declared':
      lines.push(`Content-Length: ${request.framing.declared}`);
      break;
    case 'chunked': {
      lines.push('Transfer-Encoding: chunked');
      const parts: Buffer[] = [];
      const size = Math.max(1, request.framing.size);
      for (let i = 0; i < body.length; i += size) {
        const chunk = body.subarray(i, i + size);
        parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
      }
      parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
      body = Buffer.concat(parts);
      break;
    }
    case 'raw':
      lines.push(...request.framing.lines);
      break;
    case 'none':
      break;
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Sends `request` to 127.0.0.1:`port` and reads the answer. */
export function send(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const bytes = serialise(request, `127.0.0.1:${port}`);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let failure: string | undefined;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks), request.method === 'HEAD');
      if (parsed.status === 0 && !parsed.failure) parsed.failure = failure ?? 'connection closed without an answer';
      resolve(parsed);
    };
    const timer = setTimeout(() => {
      failure = `no answer within ${timeoutMs} ms`;
      finish();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the answer was read is normal for a refused body; keep what came.
      failure = `socket error ${error.code ?? error.message}`;
      finish();
    });
    socket.on('close', finish);
    socket.on('end', finish);
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (request.halfClose) socket.end();
      });
    });
  });
}

/** Parses the first final answer in `raw` (skipping 1xx answers). */
export function parseResponse(raw: Buffer, head: boolean): RawResponse {
  const interim: number[] = [];
  let offset = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', offset, 'latin1');
    if (end < 0) return empty(raw.length > offset ? 'incomplete answer head' : undefined, interim);
    const lines = raw.subarray(offset, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!match) return empty(`not an HTTP answer: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`, interim);
    const status = Number(match[1]);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    offset = end + 4;
    if (status >= 100 && status < 200) {
      interim.push(status);
      continue;
    }
    const rest = raw.subarray(offset);
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), interim, trailing: rest.length };
    const te = headers.get('transfer-encoding')?.join(',').toLowerCase() ?? '';
    if (te.includes('chunked')) {
      const decoded = decodeChunked(rest);
      if (!decoded) return { status, headers, body: rest, interim, trailing: 0, failure: 'malformed chunked answer' };
      return { status, headers, body: decoded.body, interim, trailing: rest.length - decoded.used };
    }
    const length = headers.get('content-length')?.[0];
    if (length !== undefined) {
      const n = Number(length);
      if (!Number.isInteger(n) || n < 0 || n > rest.length) return { status, headers, body: rest, interim, trailing: 0, failure: `answer shorter than its Content-Length ${length}` };
      return { status, headers, body: rest.subarray(0, n), interim, trailing: rest.length - n };
    }
    return { status, headers, body: rest, interim, trailing: 0 };
  }
}

function empty(failure: string | undefined, interim: number[]): RawResponse {
  return { status: 0, headers: new Map(), body: Buffer.alloc(0), interim, trailing: 0, ...(failure ? { failure } : {}) };
}

function decodeChunked(raw: Buffer): { body: Buffer; used: number } | null {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset, 'latin1');
    if (lineEnd < 0) return null;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isInteger(size) || size < 0) return null;
    offset = lineEnd + 2;
    if (size === 0) {
      // Trailers, then the empty line.
      const trailerEnd = raw.indexOf('\r\n', offset, 'latin1');
      if (trailerEnd < 0) return { body: Buffer.concat(parts), used: raw.length };
      if (trailerEnd === offset) return { body: Buffer.concat(parts), used: offset + 2 };
      const end = raw.indexOf('\r\n\r\n', offset, 'latin1');
      return { body: Buffer.concat(parts), used: end < 0 ? raw.length : end + 4 };
    }
    if (offset + size > raw.length) return null;
    parts.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
}

/** The header's values joined, or undefined. */
export function headerOf(response: RawResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.join(', ');
}
