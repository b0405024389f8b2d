/**
 * Trusted documents (contract section 8, `TRUSTED_DOCUMENTS`): a manifest
 * `{ "<sha256 hex of the document>": "<document>" }` (GraphQL Code Generator's
 * persisted-documents format, as `examples/generated/persisted-documents.json`). When it
 * is configured, only operations named by hash run: `documentId: "sha256:<hex>"` or
 * `extensions.persistedQuery.sha256Hash`; a document text, if sent too, must be the
 * manifest's. Anything else gets OPERATION_NOT_TRUSTED.
 *
 * The manifest is read and checked once at start: every key is the SHA-256 of its
 * document (so a tampered entry cannot run under a trusted hash) and every document
 * parses. A bad manifest stops the gateway with one line per problem.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { ConfigError } from './config';

export type TrustedDocuments = ReadonlyMap<string, string>;

const HEX_64 = /^[0-9a-f]{64}$/;

/** Reads and checks the manifest at `path`; throws ConfigError naming TRUSTED_DOCUMENTS. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`TRUSTED_DOCUMENTS: cannot read the manifest (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new ConfigError(['TRUSTED_DOCUMENTS: the manifest is not JSON']);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ConfigError(['TRUSTED_DOCUMENTS: the manifest must be an object { "<sha256 hex>": "<document>" }']);
  }
  const problems: string[] = [];
  const documents = new Map<string, string>();
  for (const [key, document] of Object.entries(manifest)) {
    const hash = key.toLowerCase();
    if (!HEX_64.test(hash)) {
      problems.push(`TRUSTED_DOCUMENTS: key "${key.slice(0, 80)}" is not a SHA-256 hex digest`);
      continue;
    }
    if (typeof document !== 'string') {
      problems.push(`TRUSTED_DOCUMENTS: the entry ${hash} is not a string`);
      continue;
    }
    if (sha256(document) !== hash) {
      problems.push(`TRUSTED_DOCUMENTS: the entry ${hash} is not the SHA-256 of its document`);
      continue;
    }
    try {
      parse(document);
    } catch {
      problems.push(`TRUSTED_DOCUMENTS: the entry ${hash} is not a GraphQL document`);
      continue;
    }
    documents.set(hash, document);
  }
  if (problems.length === 0 && documents.size === 0) problems.push('TRUSTED_DOCUMENTS: the manifest is empty');
  if (problems.length > 0) throw new ConfigError(problems);
  return documents;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a request names: its operation fields, from a POST body or GET parameters. */
export interface OperationRequest {
  readonly query?: unknown;
  readonly documentId?: unknown;
  readonly extensions?: unknown;
}

export type TrustVerdict =
  | { readonly ok: true; readonly query: string }
  | { readonly ok: false; readonly code: 'OPERATION_NOT_TRUSTED' | 'BAD_USER_INPUT'; readonly message: string };

/** The trusted document a request names, or why it may not run. */
export function trustedOperation(request: OperationRequest, documents: TrustedDocuments): TrustVerdict {
  const hashes: string[] = [];
  if (request.documentId !== undefined) {
    const id = request.documentId;
    const match = typeof id === 'string' ? /^sha256:([0-9a-fA-F]{64})$/.exec(id) : null;
    if (!match) return { ok: false, code: 'BAD_USER_INPUT', message: '`documentId` must be "sha256:" followed by 64 hex digits.' };
    hashes.push(match[1]!.toLowerCase());
  }
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted !== undefined) {
    const hash = persisted?.sha256Hash;
    if (typeof hash !== 'string' || !HEX_64.test(hash.toLowerCase())) {
      return { ok: false, code: 'BAD_USER_INPUT', message: '`extensions.persistedQuery.sha256Hash` must be 64 hex digits.' };
    }
    hashes.push(hash.toLowerCase());
  }
  if (hashes.length === 0) {
    return { ok: false, code: 'OPERATION_NOT_TRUSTED', message: 'Only trusted documents may run on this gateway: send the operation by its hash (documentId or extensions.persistedQuery).' };
  }
  if (new Set(hashes).size > 1) return { ok: false, code: 'BAD_USER_INPUT', message: '`documentId` and `extensions.persistedQuery` name different documents.' };
  const document = documents.get(hashes[0]!);
  if (document === undefined) return { ok: false, code: 'OPERATION_NOT_TRUSTED', message: 'The operation is not among the trusted documents of this gateway.' };
  if (request.query !== undefined && request.query !== null && request.query !== document) {
    return { ok: false, code: 'OPERATION_NOT_TRUSTED', message: 'The document sent is not the trusted document of that hash.' };
  }
  return { ok: true, query: document };
}
