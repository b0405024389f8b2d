/**
 * The `JWT_PUBLIC_KEY` setting (contract section 1): PEM text, or the path of a PEM file.
 * Errors name the setting and never echo its value, which may be key material (a PEM
 * pasted without its BEGIN line would otherwise be printed back as a "path").
 */
import { readFileSync } from 'node:fs';

/** PEM labels a verifier may be given: public material only. */
const PUBLIC_LABELS: readonly string[] = ['PUBLIC KEY', 'CERTIFICATE'];

/**
 * The PEM text the setting names: the value itself when it starts with `-----BEGIN`
 * (with literal `\n` sequences, as one-line environment files carry them, turned into
 * line breaks), else the content of the file at that path. Throws an `Error` naming
 * JWT_PUBLIC_KEY when the file cannot be read or is not a PEM public key or certificate.
 */
export function resolvePublicKeySetting(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new Error('JWT_PUBLIC_KEY is empty');
  const pem = trimmed.startsWith('-----BEGIN') ? unescapeNewlines(trimmed) : readKeyFile(trimmed);
  return checkedPem(pem);
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

function unescapeNewlines(pem: string): string {
  return pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`JWT_PUBLIC_KEY is neither PEM text (-----BEGIN ...) nor the path of a readable file (${code})`);
  }
}

function checkedPem(pem: string): string {
  const label = /^-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n/.exec(pem)?.[1];
  if (label === undefined || !/\n-----END [A-Z0-9 ]{1,40}-----$/.test(pem)) {
    throw new Error('JWT_PUBLIC_KEY is not a PEM (expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)');
  }
  if (!PUBLIC_LABELS.includes(label)) {
    throw new Error(`JWT_PUBLIC_KEY must hold a public key (BEGIN PUBLIC KEY) or a certificate (BEGIN CERTIFICATE), not BEGIN ${label}`);
  }
  return pem;
}
