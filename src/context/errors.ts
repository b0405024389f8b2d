/**
 * The public error codes (contract section 5) and the one way to raise them. The text a
 * caller sees comes from the code (plus a message written for callers); details go to
 * logs only. Unknown errors are masked as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_NOT_IN_FORCE',
  'NOT_A_PARTY',
  'PURPOSE_NOT_GRANTED',
  'PURPOSE_MISSING',
  'DATA_REQUEST_INVALID',
  'FILTER_NOT_PERMITTED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'AUDIT_UNAVAILABLE',
  'OPERATION_NOT_TRUSTED',
  'RATE_LIMITED',
  'RECORD_ACCESS_NOT_GRANTED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for errors that refuse the whole request before execution. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  RECORD_ACCESS_NOT_GRANTED: 403,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'A valid bearer token is required.',
  FORBIDDEN: 'The caller may not perform this operation.',
  AGREEMENT_NOT_FOUND: 'No such agreement.',
  AGREEMENT_NOT_IN_FORCE: 'The agreement is not in force today.',
  NOT_A_PARTY: "The caller's party is not a party to this agreement.",
  PURPOSE_NOT_GRANTED: 'The agreement grants nothing for this purpose.',
  PURPOSE_MISSING: 'The X-Purpose header is required for this operation.',
  DATA_REQUEST_INVALID: 'The data request named in X-Data-Request-Id cannot be used.',
  FILTER_NOT_PERMITTED: 'This filter would reveal data that this context may not see.',
  BAD_USER_INPUT: 'The input is not valid.',
  QUERY_TOO_COMPLEX: 'The operation exceeds the operation limits.',
  AUDIT_UNAVAILABLE: 'The audit trail cannot be written; no data is disclosed.',
  OPERATION_NOT_TRUSTED: 'Only trusted documents may run on this gateway.',
  RATE_LIMITED: 'Too many requests.',
  RECORD_ACCESS_NOT_GRANTED: 'The grant for this purpose is aggregate-only: it answers statistics and entitlements, never individual records.',
  SERVICE_UNAVAILABLE: 'The database cannot be reached at the moment; retry shortly.',
  INTERNAL_SERVER_ERROR: 'Internal server error: the gateway failed unexpectedly (the details are in its log, not here).',
};

/**
 * A GraphQL error with a public code. `message` must be written for callers: it never
 * contains a data value, a stack trace, a path or a database message.
 */
export function gatewayError(code: ErrorCode, message: string = DEFAULT_MESSAGE[code], httpStatus?: number): GraphQLError {
  const status = httpStatus ?? HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: status === undefined ? { code } : { code, http: { status } },
  });
}

/** The body of every refusal answered without execution (HTTP guards, malformed requests, a withheld response): no `data`, one error. */
export function errorBody(code: ErrorCode, message: string): { errors: [{ message: string; extensions: { code: ErrorCode } }] } {
  return { errors: [{ message, extensions: { code } }] };
}

/** The message a code carries when no more specific one is given. */
export function defaultMessage(code: ErrorCode): string {
  return DEFAULT_MESSAGE[code];
}

/** Whether `value` is one of the public codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------
// Naming what a caller sent, safely
// ---------------------------------------------------------------------------------

/** Characters shown escaped in a message: controls, formats, separators, surrogates, private and unassigned code points. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/gu;

/** `text` with every unprintable character as an escape (`\n`, `\u0000`, ...). */
export function escapeForMessage(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Something the caller sent, quoted for a message: escaped, and cut to `max` characters
 * (so that a message never echoes a large input).
 */
export function quoteForMessage(text: string, max = 60): string {
  const cut = [...text].length > max ? `${[...text].slice(0, max).join('')}…` : text;
  return `"${escapeForMessage(cut).replace(/"/g, '\\"')}"`;
}

/** The kind of a JSON value, as a message names it ("a string", "null", "an array", ...). */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Why and where a text is not JSON, for a caller: "Unexpected token } at position 14
 * (line 1, column 15)". The position comes from the parser's message where it gives one
 * (`… in JSON at position N`, with or without `(line L column C)`), and otherwise from
 * scanning the text (Node 20 names an unexpected token with a snippet of the input but no
 * position). The parser's snippet of the input is never repeated; the one character at the
 * position is shown escaped.
 */
export function describeJsonSyntaxError(error: unknown, text: string | undefined): string {
  const message = error instanceof Error ? error.message : '';
  let position: number | null = null;
  const at = / in JSON at position (\d+)/.exec(message);
  if (at) position = Number(at[1]);
  else if (text !== undefined) position = /^Unexpected end of JSON input/.test(message) ? text.length : jsonErrorOffset(text);
  if (position !== null && text !== undefined && position > text.length) position = jsonErrorOffset(text);
  if (text === undefined && position !== null) position = null;

  let what: string;
  const described = /^(.{1,80}?) in JSON at position \d+/.exec(message)?.[1];
  if (text !== undefined && position !== null && (/^Unexpected token\b/.test(message) || described === undefined)) {
    // The token at the position (V8 quotes it with a snippet of the input, which is not repeated).
    what = position >= text.length ? 'Unexpected end of JSON input' : `Unexpected token ${escapeForMessage(String.fromCodePoint(text.codePointAt(position)!))}`;
  } else if (described !== undefined && /^[A-Za-z][A-Za-z ',:{}[\]-]*$/.test(described)) {
    // A fixed description of V8's ("Expected ',' or '}' after property value", "Bad control character in string literal", ...).
    what = described;
  } else if (/^Unexpected end of JSON input/.test(message)) {
    what = 'Unexpected end of JSON input';
  } else {
    what = 'The JSON syntax is broken';
  }
  if (position === null || text === undefined) return what;
  const { line, column } = lineAndColumn(text, position);
  return `${what} at position ${position} (line ${line}, column ${column})`;
}

/** Line and column (both from 1) of `position` in `text`; CRLF, CR and LF each end a line. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: position - start + 1 };
}

/**
 * Where `text` stops being JSON (RFC 8259): the offset of the first character no JSON text
 * can continue with, `text.length` when it ends too early, or null when it is JSON. The
 * offset is the one JSON.parse reports. Iterative: nesting depth costs no stack.
 */
export function jsonErrorOffset(text: string): number | null {
  const scan = new JsonScanner(text);
  const open: string[] = [];
  // What may come next: a value; a value or `]`; a key or `}`; a key; `:`; `,` or the closing bracket (or the end).
  let expect: JsonExpectation = 'value';
  for (;;) {
    scan.skipWhitespace();
    if (scan.done()) return expect === 'next' && open.length === 0 ? null : scan.n;
    const step = nextJsonStep(scan, expect, open);
    if (typeof step === 'number') return step;
    expect = step;
  }
}

type JsonExpectation = 'value' | 'valueOrClose' | 'keyOrClose' | 'key' | 'colon' | 'next';

/** One token of JSON structure: the next expectation, or the offset of an error. */
function nextJsonStep(scan: JsonScanner, expect: JsonExpectation, open: string[]): JsonExpectation | number {
  const c = scan.current();
  switch (expect) {
    case 'value':
    case 'valueOrClose':
      if (expect === 'valueOrClose' && c === ']') return scan.close(open);
      if (c === '[' || c === '{') {
        scan.i++;
        open.push(c);
        return c === '[' ? 'valueOrClose' : 'keyOrClose';
      }
      return scan.scalar() ?? 'next';
    case 'keyOrClose':
    case 'key':
      if (expect === 'keyOrClose' && c === '}') return scan.close(open);
      if (c !== '"') return scan.i;
      return scan.string() ?? 'colon';
    case 'colon':
      if (c !== ':') return scan.i;
      scan.i++;
      return 'value';
    case 'next': {
      const top = open[open.length - 1];
      if (top === undefined) return scan.i;
      if (c === ',') {
        scan.i++;
        return top === '[' ? 'value' : 'key';
      }
      if ((c === ']' && top === '[') || (c === '}' && top === '{')) return scan.close(open);
      return scan.i;
    }
  }
}

/** A cursor over a JSON text; each scan returns the offset of an error, or null. */
class JsonScanner {
  i = 0;
  readonly n: number;
  constructor(readonly text: string) {
    this.n = text.length;
  }

  done(): boolean {
    return this.i >= this.n;
  }

  current(): string {
    return this.text[this.i]!;
  }

  skipWhitespace(): void {
    while (this.i < this.n) {
      const c = this.text.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.i++;
    }
  }

  /** Closes the innermost bracket. */
  close(open: string[]): 'next' {
    this.i++;
    open.pop();
    return 'next';
  }

  private isDigit(at: number): boolean {
    return at < this.n && this.text.charCodeAt(at) >= 0x30 && this.text.charCodeAt(at) <= 0x39;
  }

  /** A string, from its opening quote. */
  string(): number | null {
    const { text, n } = this;
    this.i++;
    for (;;) {
      if (this.i >= n) return n;
      const c = text.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return null;
      }
      if (c < 0x20) return this.i;
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      const error = this.escape();
      if (error !== null) return error;
    }
  }

  /** An escape sequence, from its backslash. */
  private escape(): number | null {
    const { text, n } = this;
    this.i++;
    if (this.i >= n) return n;
    const e = text[this.i]!;
    if ('"\\/bfnrt'.includes(e)) {
      this.i++;
      return null;
    }
    if (e !== 'u') return this.i;
    this.i++;
    for (let k = 0; k < 4; k++, this.i++) {
      if (this.i >= n) return n;
      if (!/[0-9a-fA-F]/.test(text[this.i]!)) return this.i;
    }
    return null;
  }

  /** A number, a literal or a string. */
  scalar(): number | null {
    const c = this.text[this.i]!;
    if (c === '"') return this.string();
    if (c === '-' || this.isDigit(this.i)) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (c !== literal[0]) continue;
      for (let k = 0; k < literal.length; k++, this.i++) {
        if (this.i >= this.n) return this.n;
        if (this.text[this.i] !== literal[k]) return this.i;
      }
      return null;
    }
    return this.i;
  }

  private number(): number | null {
    const { text } = this;
    if (text[this.i] === '-') this.i++;
    if (!this.isDigit(this.i)) return this.i;
    if (text[this.i] === '0') this.i++;
    else while (this.isDigit(this.i)) this.i++;
    if (text[this.i] === '.') {
      this.i++;
      if (!this.isDigit(this.i)) return this.i;
      while (this.isDigit(this.i)) this.i++;
    }
    if (text[this.i] === 'e' || text[this.i] === 'E') {
      this.i++;
      if (text[this.i] === '+' || text[this.i] === '-') this.i++;
      if (!this.isDigit(this.i)) return this.i;
      while (this.isDigit(this.i)) this.i++;
    }
    return null;
  }
}
