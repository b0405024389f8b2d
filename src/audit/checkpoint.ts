/**
 * Signed checkpoints of the audit trail (docs/api.md section 8): the list of every chain
 * with its head's sequence number and hash at one moment, signed with Ed25519 by a key
 * outside the database (AUDIT_SIGNING_KEY) and written to a directory outside it
 * (AUDIT_CHECKPOINT_DIR; an operator ships the files to write-once storage). Someone who
 * can write to the database can delete a whole chain with its head, or cut a tail and
 * move the head back, and the chain itself still verifies; a checkpoint taken before
 * names the chain, its length and its hash at that length, so `npm run audit:verify --
 * --checkpoint FILE` finds it.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, type ChainHead, type CheckpointedHead } from './chain';

export interface Checkpoint {
  readonly format: 'treatygate-audit-checkpoint/1';
  /** When it was taken, ISO 8601. */
  readonly at: string;
  /** Every chain, by id: the head's last sequence number (-1: no event yet) and hash. */
  readonly chains: readonly CheckpointedHead[];
}

/** A checkpoint as written: the checkpoint and the Ed25519 signature of its canonical JSON. */
export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** base64 */
  readonly signature: string;
}

export function checkpointOf(heads: readonly ChainHead[], at: Date): Checkpoint {
  return {
    format: 'treatygate-audit-checkpoint/1',
    at: at.toISOString(),
    chains: [...heads].sort((a, b) => (a._id < b._id ? -1 : 1)).map((h) => ({ chain: h._id, lastSeq: h.lastSeq, lastHash: h.lastHash })),
  };
}

export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): SignedCheckpoint {
  return { checkpoint, signature: sign(null, Buffer.from(canonicalJson(checkpoint)), privateKey).toString('base64') };
}

/** The checkpoint of a signed file, or why it is not one (bad format, bad signature). */
export function openCheckpoint(text: string, publicKey: KeyObject): { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  const file = parsed as Partial<SignedCheckpoint> | null;
  const checkpoint = file?.checkpoint as Checkpoint | undefined;
  const wellFormed =
    checkpoint !== undefined &&
    checkpoint.format === 'treatygate-audit-checkpoint/1' &&
    typeof checkpoint.at === 'string' &&
    Array.isArray(checkpoint.chains) &&
    checkpoint.chains.every((c) => typeof c?.chain === 'string' && Number.isInteger(c.lastSeq) && c.lastSeq >= -1 && typeof c.lastHash === 'string') &&
    typeof file?.signature === 'string';
  if (!wellFormed) return { ok: false, problem: 'not a Treatygate audit checkpoint' };
  const good = verify(null, Buffer.from(canonicalJson(checkpoint)), publicKey, Buffer.from(file.signature!, 'base64'));
  return good ? { ok: true, checkpoint } : { ok: false, problem: 'the signature does not match (forged, altered, or signed with another key)' };
}

/** Writes a signed checkpoint into `dir` (created if missing) as `checkpoint-<time>.json`, atomically; returns its path. */
export async function writeCheckpoint(dir: string, signed: SignedCheckpoint): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `checkpoint-${signed.checkpoint.at.replace(/[:.]/g, '-')}.json`);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(signed, null, 2)}\n`, { mode: 0o640 });
  await rename(temporary, path);
  return path;
}

/** A PEM key given as its text or as the path of a file holding it. */
function pemText(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** The Ed25519 private key of AUDIT_SIGNING_KEY (PEM text or path); problems are pushed. */
export function readSigningKey(value: string, problems: string[]): KeyObject | null {
  try {
    if (!value.includes('-----BEGIN') && !existsSync(value)) {
      problems.push(`AUDIT_SIGNING_KEY: no file ${value} (give the PEM text or the path of a PEM file)`);
      return null;
    }
    const key = createPrivateKey(pemText(value));
    if (key.asymmetricKeyType !== 'ed25519') {
      problems.push(`AUDIT_SIGNING_KEY must be an Ed25519 private key, got ${key.asymmetricKeyType ?? 'another kind'}`);
      return null;
    }
    return key;
  } catch (error) {
    problems.push(`AUDIT_SIGNING_KEY is not a PEM private key (${(error as Error).message})`);
    return null;
  }
}

/** The Ed25519 public key that verifies checkpoints: from a public PEM (text or path) or from the private one. */
export function readVerifyingKey(value: string): KeyObject {
  const text = pemText(value);
  const key = text.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the checkpoint key must be Ed25519, got ${key.asymmetricKeyType ?? 'another kind'}`);
  return key;
}
