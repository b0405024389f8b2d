/** Start-up configuration: every bad setting is reported, each naming the setting. */
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/server/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('configuration', () => {
  it('has contract defaults in development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      mongodbUri: null,
      mongodbDb: 'treatygate',
      host: '127.0.0.1',
      port: 4000,
      agreementCacheTtlMs: 5000,
      maxPageSize: 500,
      bodyLimit: '1mb',
      introspection: true,
    });
    expect(config.jwt.useDevKeys).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535, got "abc"'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535, got "70000"'],
    [{ MAX_PAGE_SIZE: '0' }, 'MAX_PAGE_SIZE must be an integer from 1 to 10000, got "0"'],
    [{ AGREEMENT_CACHE_TTL_MS: '-5' }, 'AGREEMENT_CACHE_TTL_MS must be an integer from 0 to 3600000, got "-5"'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI must start with mongodb:// or mongodb+srv://'],
    [{ MONGODB_DB: 'a b' }, 'MONGODB_DB must be 1-63 letters, digits, _ or -, got "a b"'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be development, production or test, got "staging"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ BODY_LIMIT: 'huge' }, 'BODY_LIMIT must be a size such as 100kb or 1mb, got "huge"'],
    [{ INTROSPECTION: 'yes' }, 'INTROSPECTION must be true or false, got "yes"'],
    [{ PSEUDONYM_KEY: 'abcd' }, 'PSEUDONYM_KEY must hold at least 32 bytes (64 hex digits or 44 base64 characters)'],
    [{ AUDIT_KEY: 'abcd' }, 'AUDIT_KEY must hold at least 32 bytes (64 hex digits or 44 base64 characters)'],
    [{ AUDIT_KEYS_RETIRED: 'abcd' }, 'each key of AUDIT_KEYS_RETIRED must hold at least 32 bytes (64 hex digits or 44 base64 characters)'],
    [{ AUDIT_CHECKPOINT_DIR: '/tmp/x' }, 'set both AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_DIR, or neither'],
    [{ AUDIT_SIGNING_KEY: '/nonexistent/key.pem', AUDIT_CHECKPOINT_DIR: '/tmp/x' }, 'AUDIT_SIGNING_KEY: no file /nonexistent/key.pem (give the PEM text or the path of a PEM file)'],
    [
      { AUDIT_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), AUDIT_CHECKPOINT_DIR: '/tmp/x' },
      'AUDIT_SIGNING_KEY must be an Ed25519 private key, got ec',
    ],
    [{ JWT_PUBLIC_KEY: 'x', JWT_JWKS_URL: 'https://idp/jwks' }, 'set only one of JWT_PUBLIC_KEY and JWT_JWKS_URL'],
    [{ JWT_JWKS_URL: 'not a url' }, 'JWT_JWKS_URL must be an http(s) URL'],
    [{ JWT_PUBLIC_KEY: '/keys/pub.pem' }, 'JWT_ISSUER is required when a JWT key is configured'],
  ])('refuses %p', (env, problem) => {
    expect(problemsOf(env)).toContain(problem);
  });

  it('requires the production settings, listing them all at once', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'MONGODB_URI is required in production (no embedded database)',
      'PSEUDONYM_KEY is required in production (at least 32 random bytes, hex or base64)',
      "AUDIT_KEY is required in production (at least 32 random bytes, hex or base64): it keys the audit trail's MACs",
      'AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_DIR are required in production (signed checkpoints of the audit trail, outside the database)',
    ]);
  });

  it('never echoes a secret', () => {
    const secret = 'c2VjcmV0LXNlY3JldA==';
    expect(problemsOf({ PSEUDONYM_KEY: secret }).join('\n')).not.toContain(secret);
  });

  it('production: introspection off unless INTROSPECTION=true, dev keys off', () => {
    const env = {
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db.example:27017',
      JWT_PUBLIC_KEY: '/etc/treatygate/jwt.pem',
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'treatygate',
      JWT_PARTIES: 'ITA',
      PSEUDONYM_KEY: 'a'.repeat(64),
      AUDIT_KEY: 'b'.repeat(64),
      AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      AUDIT_CHECKPOINT_DIR: '/var/lib/treatygate/checkpoints',
    };
    expect(loadConfig(env)).toMatchObject({ production: true, introspection: false, jwt: { useDevKeys: false, parties: ['ITA'] } });
    // The single issuer must say which parties it speaks for; without one, only the trust registry does.
    const { JWT_PARTIES: _parties, ...withoutParties } = env;
    expect(problemsOf(withoutParties)).toEqual([
      "JWT_PARTIES is required in production with JWT_ISSUER: the parties that issuer speaks for (other parties' issuers belong in the trust registry)",
    ]);
    const { JWT_PUBLIC_KEY: _key, JWT_ISSUER: _issuer, JWT_AUDIENCE: _audience, ...registryOnly } = withoutParties;
    expect(loadConfig(registryOnly).jwt).toMatchObject({ useDevKeys: false, publicKey: null, jwksUrl: null });
    expect(problemsOf({ ...env, JWT_PARTIES: 'ita' })).toEqual(['JWT_PARTIES must list party codes (2-10 capital letters or digits), got "ita"']);
    expect(problemsOf({ ...env, PUBLIC_URL: 'http://gateway.example' })).toEqual(["PUBLIC_URL must be an https URL (the gateway's address as callers see it)"]);
    expect(loadConfig({ ...env, INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('npm start: a bad setting stops the server with a message naming it', () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const start = join(__dirname, '..', '..', 'src', 'cli', 'start.ts');
    const result = spawnSync(tsx, [start], {
      env: { PATH: process.env['PATH'] ?? '', PORT: 'not-a-port', MAX_PAGE_SIZE: '-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT must be an integer from 0 to 65535, got "not-a-port"');
    expect(result.stderr).toContain('MAX_PAGE_SIZE must be an integer from 1 to 10000, got "-1"');
    expect(result.stderr).toContain('The gateway did not start.');
  });

  it('reads where the rate limit counts and the write concern, and refuses other values by name', () => {
    const defaults = loadConfig({ NODE_ENV: 'development' });
    expect([defaults.rateLimitStore, defaults.writeConcern]).toEqual(['mongodb', 'majority']);
    const chosen = loadConfig({ NODE_ENV: 'development', RATE_LIMIT_STORE: 'memory', MONGODB_WRITE_CONCERN: '1' });
    expect([chosen.rateLimitStore, chosen.writeConcern]).toEqual(['memory', 1]);
    expect(() => loadConfig({ NODE_ENV: 'development', RATE_LIMIT_STORE: 'redis', MONGODB_WRITE_CONCERN: '2' })).toThrow(
      /RATE_LIMIT_STORE must be one of mongodb, memory, got "redis"[\s\S]*MONGODB_WRITE_CONCERN must be one of majority, 1, got "2"/,
    );
  });
});
