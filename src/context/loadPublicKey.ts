/**
 * `JWT_PUBLIC_KEY` holds PEM text or a path to a PEM file. Errors name the setting and
 * never echo key material.
 */
import { readFileSync } from 'node:fs';

export function resolvePublicKeySetting(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  let text: string;
  try {
    text = readFileSync(trimmed, 'utf8');
  } catch (error) {
    throw new Error(`JWT_PUBLIC_KEY: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text.trim().startsWith('-----BEGIN')) throw new Error('JWT_PUBLIC_KEY: the key file is not a PEM file');
  return text.trim();
}
