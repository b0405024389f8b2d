/**
 * Configuration from the environment (contract section 8), validated once at start.
 * Every bad setting is reported, each in one line naming it; the server does not start
 * with any of them. Values that are secrets are never echoed.
 */
import type { KeyObject } from 'node:crypto';
import { readSigningKey } from '../audit/checkpoint';
import { readAuditKeyring, type AuditKeyring } from '../audit/keys';
import { createHash } from 'node:crypto';

export type NodeEnv = 'development' | 'production' | 'test';

export interface GatewayConfig {
  readonly nodeEnv: NodeEnv;
  readonly production: boolean;
  /** Unset: an embedded database is started. */
  readonly mongodbUri: string | null;
  readonly mongodbDb: string;
  readonly host: string;
  readonly port: number;
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    /** PEM text or a path to a PEM file, as given. */
    readonly publicKey: string | null;
    readonly jwksUrl: string | null;
    /** No key configured outside production: the development keys verify tokens. */
    readonly useDevKeys: boolean;
    /**
     * The parties the single issuer (JWT_ISSUER, or the development issuer) speaks for
     * (JWT_PARTIES); 'ANY' only for the development issuer. Other issuers are trusted
     * through the trust registry (docs/operations.md).
     */
    readonly parties: readonly string[] | 'ANY';
    /** JWKS: longest use of a fetched key set (JWKS_CACHE_MAX_AGE_MS): a removed key is refused within it. */
    readonly jwksCacheMaxAgeMs: number;
    /** JWKS: shortest pause between fetches for an unknown kid (JWKS_COOLDOWN_MS). */
    readonly jwksCooldownMs: number;
  };
  /** DPoP (RFC 9449): how far a proof's iat may be from now (DPOP_IAT_WINDOW_S), and the gateway's public URL for htu (PUBLIC_URL). */
  readonly dpop: { readonly iatWindowS: number; readonly publicUrl: string | null };
  readonly pseudonymKey: Buffer;
  /** The keys of the audit trail's MACs (AUDIT_KEY, AUDIT_KEYS_RETIRED). */
  readonly auditKeys: AuditKeyring;
  /**
   * Signed checkpoints of the audit trail (AUDIT_SIGNING_KEY, AUDIT_CHECKPOINT_DIR,
   * AUDIT_CHECKPOINT_INTERVAL_MS); null when not configured (allowed outside production).
   */
  readonly auditCheckpoints: { readonly signingKey: KeyObject; readonly dir: string; readonly intervalMs: number } | null;
  readonly agreementCacheTtlMs: number;
  readonly maxPageSize: number;
  readonly bodyLimit: string;
  readonly logLevel: string;
  readonly introspection: boolean;
  /** Operation limits, checked before execution (QUERY_TOO_COMPLEX past them). */
  readonly limits: {
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxTokens: number;
    readonly maxCost: number;
  };
  /** Most GraphQL requests in progress at once; past it 503 SERVICE_UNAVAILABLE at once (0: no cap). */
  readonly maxInFlight: number;
  /** Requests per caller (`sub`) per minute; 0: no limit. */
  readonly rateLimitPerMinute: number;
  /** Where the rate limit counts: `mongodb` (shared by every instance on the database) or `memory` (per process). */
  readonly rateLimitStore: 'mongodb' | 'memory';
  /** The write concern of every write: `majority` (acknowledged by a majority of the replica set) or `1` (the primary alone). */
  readonly writeConcern: 'majority' | 1;
  /** Path of the trusted-documents manifest; null: any operation may run. */
  readonly trustedDocuments: string | null;
  /** Origins allowed to call `/graphql` from a browser; empty: same origin only. */
  readonly corsOrigins: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The key used outside production when PSEUDONYM_KEY is unset: never secret. */
const DEVELOPMENT_PSEUDONYM_SECRET = 'treatygate development pseudonym key: not for production';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the configuration; throws `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const { read, integer } = settingsReader(env, problems);
  const nodeEnvRaw = read('NODE_ENV') ?? 'development';
  let nodeEnv: NodeEnv = 'development';
  if (nodeEnvRaw === 'development' || nodeEnvRaw === 'production' || nodeEnvRaw === 'test') nodeEnv = nodeEnvRaw;
  else problems.push(`NODE_ENV must be development, production or test, got "${nodeEnvRaw}"`);
  const production = nodeEnv === 'production';

  const mongodbUri = read('MONGODB_URI') ?? null;
  if (mongodbUri !== null && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    problems.push('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }
  if (mongodbUri === null && production) problems.push('MONGODB_URI is required in production (no embedded database)');
  const mongodbDb = read('MONGODB_DB') ?? 'treatygate';
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(mongodbDb)) problems.push(`MONGODB_DB must be 1-63 letters, digits, _ or -, got "${mongodbDb}"`);

  const host = read('HOST') ?? '127.0.0.1';
  const port = integer('PORT', 4000, 0, 65535);

  const { jwt, dpop } = readJwtSettings({ read, integer, problems }, production);
  const pseudonymKey = readPseudonymKey(read('PSEUDONYM_KEY'), production, problems);
  const auditKeys = readAuditKeyring(read('AUDIT_KEY'), read('AUDIT_KEYS_RETIRED'), production, problems);
  const auditCheckpoints = readCheckpointSettings({ read, integer, problems }, production);
  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const bodyLimit = read('BODY_LIMIT') ?? '1mb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) problems.push(`BODY_LIMIT must be a size such as 100kb or 1mb, got "${bodyLimit}"`);
  const introspectionRaw = read('INTROSPECTION');
  if (introspectionRaw !== undefined && introspectionRaw !== 'true' && introspectionRaw !== 'false') {
    problems.push(`INTROSPECTION must be true or false, got "${introspectionRaw}"`);
  }

  const trustedDocuments = read('TRUSTED_DOCUMENTS') ?? null;
  const corsOrigins = (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!isOrigin(origin)) problems.push(`CORS_ORIGINS must list origins such as https://app.example.org (scheme, host, optional port), got "${origin}"`);
  }

  const config: GatewayConfig = {
    nodeEnv,
    production,
    mongodbUri,
    mongodbDb,
    host,
    port,
    jwt,
    dpop,
    pseudonymKey,
    auditKeys,
    auditCheckpoints,
    agreementCacheTtlMs: integer('AGREEMENT_CACHE_TTL_MS', 5_000, 0, 3_600_000),
    maxPageSize: integer('MAX_PAGE_SIZE', 500, 1, 10_000),
    bodyLimit,
    logLevel,
    introspection: introspectionRaw === undefined ? !production : introspectionRaw === 'true',
    limits: {
      maxDepth: integer('MAX_DEPTH', 10, 1, 100),
      maxAliases: integer('MAX_ALIASES', 30, 0, 1_000),
      maxDirectives: integer('MAX_DIRECTIVES', 20, 0, 1_000),
      maxTokens: integer('MAX_TOKENS', 5_000, 50, 1_000_000),
      maxCost: integer('MAX_COST', 100_000, 1, 100_000_000),
    },
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    rateLimitStore: choice(read, problems, 'RATE_LIMIT_STORE', ['mongodb', 'memory'] as const, 'mongodb'),
    writeConcern: choice(read, problems, 'MONGODB_WRITE_CONCERN', ['majority', '1'] as const, 'majority') === 'majority' ? 'majority' : 1,
    maxInFlight: integer('MAX_IN_FLIGHT', 128, 0, 100_000),
    trustedDocuments,
    corsOrigins,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

type Read = (name: string) => string | undefined;

/** A setting that takes one of `values` (`fallback` when unset); anything else is a problem naming them. */
function choice<T extends string>(read: Read, problems: string[], name: string, values: readonly T[], fallback: T): T {
  const value = read(name);
  if (value === undefined) return fallback;
  if ((values as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${values.join(', ')}, got "${value}"`);
  return fallback;
}
type ReadInteger = (name: string, fallback: number, min: number, max: number) => number;
interface SettingsReader {
  readonly read: Read;
  readonly integer: ReadInteger;
  readonly problems: string[];
}

/** `read`: a setting's trimmed value (blank reads as unset); `integer`: a bounded integer, its problem pushed onto `problems`. */
function settingsReader(env: NodeJS.ProcessEnv, problems: string[]): { read: Read; integer: ReadInteger } {
  const read: Read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const integer: ReadInteger = (name, fallback, min, max) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  return { read, integer };
}

/** The single issuer (JWT_*), the JWKS timing and DPoP's settings. */
function readJwtSettings({ read, integer, problems }: SettingsReader, production: boolean): Pick<GatewayConfig, 'jwt' | 'dpop'> {
  const publicKey = read('JWT_PUBLIC_KEY') ?? null;
  const jwksUrl = read('JWT_JWKS_URL') ?? null;
  const issuer = read('JWT_ISSUER');
  const audience = read('JWT_AUDIENCE');
  if (publicKey && jwksUrl) problems.push('set only one of JWT_PUBLIC_KEY and JWT_JWKS_URL');
  if (jwksUrl !== null && !isHttpUrl(jwksUrl, production)) {
    problems.push(`JWT_JWKS_URL must be an ${production ? 'https' : 'http(s)'} URL`);
  }
  // In production without a single issuer, only the trust registry speaks for parties.
  const useDevKeys = !production && publicKey === null && jwksUrl === null;
  const partiesRaw = read('JWT_PARTIES');
  const parties = (partiesRaw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const party of parties) if (!/^[A-Z0-9]{2,10}$/.test(party)) problems.push(`JWT_PARTIES must list party codes (2-10 capital letters or digits), got "${party}"`);
  if (publicKey !== null || jwksUrl !== null) {
    if (!issuer) problems.push('JWT_ISSUER is required when a JWT key is configured');
    if (!audience) problems.push('JWT_AUDIENCE is required when a JWT key is configured');
    if (production && parties.length === 0) problems.push('JWT_PARTIES is required in production with JWT_ISSUER: the parties that issuer speaks for (other parties\' issuers belong in the trust registry)');
  } else if (partiesRaw !== undefined && !useDevKeys) {
    problems.push('JWT_PARTIES applies only with JWT_PUBLIC_KEY or JWT_JWKS_URL');
  }
  const publicUrl = read('PUBLIC_URL') ?? null;
  if (publicUrl !== null && !isHttpUrl(publicUrl, production)) problems.push(`PUBLIC_URL must be an ${production ? 'https' : 'http(s)'} URL (the gateway's address as callers see it)`);

  return {
    jwt: {
      issuer: issuer ?? 'treatygate-dev',
      audience: audience ?? 'treatygate',
      publicKey,
      jwksUrl,
      useDevKeys,
      parties: parties.length > 0 ? parties : 'ANY',
      jwksCacheMaxAgeMs: integer('JWKS_CACHE_MAX_AGE_MS', 600_000, 1_000, 86_400_000),
      jwksCooldownMs: integer('JWKS_COOLDOWN_MS', 30_000, 0, 3_600_000),
    },
    dpop: { iatWindowS: integer('DPOP_IAT_WINDOW_S', 60, 5, 600), publicUrl: publicUrl === null ? null : publicUrl.replace(/\/+$/, '') },
  };
}

/** Signed checkpoints of the audit trail (AUDIT_SIGNING_KEY, AUDIT_CHECKPOINT_DIR, AUDIT_CHECKPOINT_INTERVAL_MS). */
function readCheckpointSettings({ read, integer, problems }: SettingsReader, production: boolean): GatewayConfig['auditCheckpoints'] {
  const signingKeyRaw = read('AUDIT_SIGNING_KEY');
  const checkpointDir = read('AUDIT_CHECKPOINT_DIR');
  const checkpointIntervalMs = integer('AUDIT_CHECKPOINT_INTERVAL_MS', 300_000, 1_000, 86_400_000);
  let auditCheckpoints: GatewayConfig['auditCheckpoints'] = null;
  if (signingKeyRaw === undefined && checkpointDir === undefined) {
    if (production) problems.push('AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_DIR are required in production (signed checkpoints of the audit trail, outside the database)');
  } else if (signingKeyRaw === undefined || checkpointDir === undefined) {
    problems.push('set both AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_DIR, or neither');
  } else {
    const signingKey = readSigningKey(signingKeyRaw, problems);
    if (signingKey) auditCheckpoints = { signingKey, dir: checkpointDir, intervalMs: checkpointIntervalMs };
  }

  return auditCheckpoints;
}

/** An origin as browsers send it: scheme and host (and port), nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string, httpsOnly: boolean): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * PSEUDONYM_KEY: at least 32 bytes, as 64+ hex digits or base64 of 32+ bytes. Required
 * in production; elsewhere a fixed development key is used (pseudonyms made with it are
 * guessable and must never leave a development machine).
 */
function readPseudonymKey(raw: string | undefined, production: boolean, problems: string[]): Buffer {
  if (raw === undefined) {
    if (production) problems.push('PSEUDONYM_KEY is required in production (at least 32 random bytes, hex or base64)');
    return createHash('sha256').update(DEVELOPMENT_PSEUDONYM_SECRET).digest();
  }
  const bytes = /^[0-9a-fA-F]+$/.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length < 32) problems.push('PSEUDONYM_KEY must hold at least 32 bytes (64 hex digits or 44 base64 characters)');
  return bytes;
}
