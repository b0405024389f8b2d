/**
 * Caller authentication (contract section 1): what is accepted, each way a token is
 * refused, key configuration (PEM, certificate, several keys, JWKS with rotation), the
 * development keys, the JWT_PUBLIC_KEY setting and `npm run token`.
 */
import { execFile } from 'node:child_process';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, importPKCS8, type CryptoKey } from 'jose';
import { runTokenCommand } from '../../src/cli/token';
import { AuthenticationError, createAuthenticator, type Authenticate, type AuthConfig } from '../../src/context/authenticate';
import { DEV_AUDIENCE, DEV_ISSUER, devAuthConfig, loadDevKeys, signDevToken } from '../../src/dev/devKeys';
import { resolvePublicKeySetting } from '../../src/context/loadPublicKey';

const DEV_KEYS = loadDevKeys();
const CLAIMS = { agency: 'ITA-POLICE', party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
const nowS = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A self-signed X.509 certificate for the development ES256 key (made once with openssl). */
const DEV_ES256_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUCjh8thlYRsSrJl+zgV+Mc8K7ZkEwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTdHJlYXR5Z2F0ZS1kZXYtdGVzdDAgFw0yNjExMjMwODEyNDZa
GA8yMTI2MTAzMDA4MTI0NlowHjEcMBoGA1UEAwwTdHJlYXR5Z2F0ZS1kZXYtdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABChOgbCPtZyU1odQxOfji5RO8YAx
r9+yFwzTnDcGqw1zYQHFu/vQF5b4fpoDZDO1r0ijTLBc6uOayBAqmjhN23qjUzBR
MB0GA1UdDgQWBBTScovNxm4Epk9B5cisHhg3VyywKzAfBgNVHSMEGDAWgBTScovN
xm4Epk9B5cisHhg3VyywKzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIQDv6TrwtpcWybYSkvSSGf+fcH1kGEutiaw0kNBJHUnACwIgAosWCAJAT6yW
jNyIxNOKcE1raOn+Wxl7DGstb3dfOEs=
-----END CERTIFICATE-----
`;

interface SignOptions {
  key?: CryptoKey;
  alg?: 'RS256' | 'ES256';
  iss?: string | null;
  aud?: string | null;
  exp?: number | string | null;
  nbf?: number;
  sub?: string | null;
  kid?: string;
}

/** A token with `body` as claims; by default valid for the development RS256 key. */
async function sign(body: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const key = options.key ?? (await importPKCS8(DEV_KEYS[alg].privateKey, alg));
  const jwt = new SignJWT(body).setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt();
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'officer-1');
  if (options.iss !== null) jwt.setIssuer(options.iss ?? DEV_ISSUER);
  if (options.aud !== null) jwt.setAudience(options.aud ?? DEV_AUDIENCE);
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '1h');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(key);
}

/** The authentication error `authenticate(header)` rejects with. */
async function refusal(authenticate: Authenticate, header: string | undefined): Promise<AuthenticationError> {
  const error: unknown = await authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const refused = error as AuthenticationError;
  expect(refused.code).toBe('UNAUTHENTICATED');
  expect(refused.message).toBe('A valid bearer token is required.');
  // The log-only reason never carries the token.
  const token = header?.split(' ')[1];
  if (token) expect(refused.reason).not.toContain(token);
  return refused;
}

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/**
 * Stops the clock (Date.now and new Date(); timers stay real) at the current time until
 * `restore()`; `advance(ms)` moves it on. jose reads it for `iat`, `exp` and `nbf`, and
 * times the JWKS cool-down with it: the test decides how much time passes between two
 * steps, however long the machine takes to run them.
 */
function standStill(): { advance(ms: number): void; restore(): void } {
  let now = Date.now();
  jest.useFakeTimers({
    now,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  return {
    advance(ms) {
      now += ms;
      jest.setSystemTime(now);
    },
    restore: () => jest.useRealTimers(),
  };
}

/** Runs `fn` with NODE_ENV set to `value`, restoring it after `fn` settles. */
async function withNodeEnv<T>(value: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = value;
  try {
    return await fn();
  } finally {
    process.env['NODE_ENV'] = previous;
  }
}

describe('createAuthenticator with the development keys', () => {
  const authenticate = createAuthenticator(devAuthConfig());

  it.each(['RS256', 'ES256'] as const)('accepts a %s development token with the right Caller', async (alg) => {
    const token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER', 'DATA_CONTROLLER'] }, { alg });
    const caller = await authenticate(`Bearer ${token}`);
    expect(caller).toEqual({ sub: 'officer-ita-1', agency: 'ITA-AGENCY', party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER', 'DATA_CONTROLLER'] });
    expect(Object.isFrozen(caller)).toBe(true);
    expect(Object.isFrozen(caller.roles)).toBe(true);
  });

  it('keeps exactly the five fields, takes the scheme case-insensitively, allows no roles', async () => {
    const token = await sign({ ...CLAIMS, roles: [], admin: true, scope: 'everything' });
    const caller = await authenticate(`bearer ${token}`);
    expect(Object.keys(caller).sort()).toEqual(['agency', 'clearance', 'party', 'roles', 'sub']);
    expect(caller.roles).toEqual([]);
    expect((await authenticate(`BEARER ${token}`)).sub).toBe('officer-1');
  });

  it('accepts an expiry within the 5 s clock tolerance', async () => {
    // Checked 2 s after the expiry on a clock that stands still (not 2 s plus however long signing took).
    const clock = standStill();
    try {
      expect((await authenticate(`Bearer ${await sign(CLAIMS, { exp: nowS() - 2 })}`)).party).toBe('ITA');
    } finally {
      clock.restore();
    }
  });

  it('refuses a missing header, another scheme and a token that is not a JWT', async () => {
    const token = await signDevToken({ party: 'ITA' });
    expect((await refusal(authenticate, undefined)).reason).toMatch(/no Authorization header/);
    expect((await refusal(authenticate, '')).reason).toMatch(/no Authorization header/);
    expect((await refusal(authenticate, `Basic ${Buffer.from('a:b').toString('base64')}`)).reason).toMatch(/not a Bearer or DPoP token/);
    expect((await refusal(authenticate, `Token ${token}`)).reason).toMatch(/not a Bearer or DPoP token/);
    expect((await refusal(authenticate, token)).reason).toMatch(/not a Bearer or DPoP token/);
    expect((await refusal(authenticate, 'Bearer')).reason).toMatch(/not a Bearer or DPoP token/);
    await refusal(authenticate, 'Bearer not.a.jwt');
    await refusal(authenticate, 'Bearer garbage');
    await refusal(authenticate, `Bearer ${token}x`);
    expect((await refusal(authenticate, `Bearer ${'a'.repeat(9000)}`)).reason).toMatch(/too long/);
  });

  it('refuses an expired token and one not yet valid', async () => {
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { exp: nowS() - 60 })}`)).reason).toMatch(/ERR_JWT_EXPIRED/);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { nbf: nowS() + 600 })}`)).reason).toMatch(/nbf/);
  });

  it('refuses a wrong issuer or audience, and a token without exp, iss or aud', async () => {
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { iss: 'someone-else' })}`)).reason).toMatch(/iss/);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { aud: 'another-service' })}`)).reason).toMatch(/aud/);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { exp: null })}`)).reason).toMatch(/exp/);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { iss: null })}`)).reason).toMatch(/iss/);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { aud: null })}`)).reason).toMatch(/aud/);
  });

  it.each(['RS256', 'ES256'] as const)('refuses a %s token signed with another key', async (alg) => {
    const { privateKey } = await generateKeyPair(alg);
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { key: privateKey, alg })}`)).reason).toMatch(/signature/);
  });

  it('refuses alg none (an unsigned token)', async () => {
    const payload = { ...CLAIMS, sub: 'x', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: nowS() + 600 };
    await refusal(authenticate, `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`);
    await refusal(authenticate, `Bearer ${b64({ alg: 'none' })}.${b64(payload)}.`);
  });

  it.each(['RS256', 'ES256'] as const)('refuses HS256 signed with the %s public key PEM as its secret (key confusion)', async (alg) => {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...CLAIMS, sub: 'x', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: nowS() + 600 })}`;
    const signature = createHmac('sha256', DEV_KEYS[alg].publicKey).update(head).digest('base64url');
    expect((await refusal(authenticate, `Bearer ${head}.${signature}`)).reason).toMatch(/alg/);
  });

  it.each<[string, Record<string, unknown>, SignOptions]>([
    ['no party', { ...CLAIMS, party: undefined }, {}],
    ['a lowercase party', { ...CLAIMS, party: 'ita' }, {}],
    ['a party too long', { ...CLAIMS, party: 'ABCDEFGHIJK' }, {}],
    ['a bad clearance', { ...CLAIMS, clearance: 'TOP_SECRET' }, {}],
    ['a lowercase clearance', { ...CLAIMS, clearance: 'elevated' }, {}],
    ['an unknown role', { ...CLAIMS, roles: ['CASEWORKER', 'ADMIN'] }, {}],
    ['roles not an array', { ...CLAIMS, roles: 'CASEWORKER' }, {}],
    ['no roles claim', { ...CLAIMS, roles: undefined }, {}],
    ['no agency', { ...CLAIMS, agency: undefined }, {}],
    ['an empty agency', { ...CLAIMS, agency: '' }, {}],
    ['no sub', CLAIMS, { sub: null }],
    ['an empty sub', CLAIMS, { sub: '' }],
  ])('refuses a token with %s', async (_name, body, options) => {
    await refusal(authenticate, `Bearer ${await sign(body, options)}`);
  });

  it('refuses a sub that is not a string', async () => {
    const token = await sign({ ...CLAIMS, sub: 42 }, { sub: null });
    await refusal(authenticate, `Bearer ${token}`);
  });
});

describe('createAuthenticator with configured keys', () => {
  const config = (over: Partial<AuthConfig>): AuthConfig => ({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ...over });

  it('uses a single PEM for its own algorithm only', async () => {
    const rsaOnly = createAuthenticator(config({ publicKey: DEV_KEYS.RS256.publicKey }));
    expect((await rsaOnly(`Bearer ${await signDevToken({ party: 'ESP' }, { alg: 'RS256' })}`)).party).toBe('ESP');
    expect((await refusal(rsaOnly, `Bearer ${await signDevToken({ party: 'ESP' }, { alg: 'ES256' })}`)).reason).toMatch(/no configured key/);
  });

  it('accepts an X.509 certificate PEM', async () => {
    const authenticate = createAuthenticator(config({ publicKey: DEV_ES256_CERTIFICATE }));
    expect((await authenticate(`Bearer ${await signDevToken({ party: 'IOM' }, { alg: 'ES256' })}`)).party).toBe('IOM');
  });

  it('tries each key of the token algorithm (key rotation)', async () => {
    const next = await generateKeyPair('RS256', { extractable: true });
    const authenticate = createAuthenticator(config({ publicKeys: [await exportSPKI(next.publicKey), DEV_KEYS.RS256.publicKey] }));
    expect((await authenticate(`Bearer ${await sign(CLAIMS)}`)).party).toBe('ITA');
    expect((await authenticate(`Bearer ${await sign(CLAIMS, { key: next.privateKey })}`)).party).toBe('ITA');
    // A claim failure is final: not retried against the next key, and reported as itself.
    expect((await refusal(authenticate, `Bearer ${await sign(CLAIMS, { exp: nowS() - 60 })}`)).reason).toMatch(/ERR_JWT_EXPIRED/);
  });

  it('honours a narrower algorithms list', async () => {
    const authenticate = createAuthenticator(config({ publicKey: DEV_KEYS.ES256.publicKey, algorithms: ['ES256'] }));
    expect((await authenticate(`Bearer ${await signDevToken({ party: 'ITA' }, { alg: 'ES256' })}`)).party).toBe('ITA');
    await refusal(authenticate, `Bearer ${await signDevToken({ party: 'ITA' }, { alg: 'RS256' })}`);
  });

  it.each<[string, Partial<AuthConfig>, RegExp]>([
    ['no key source', {}, /exactly one of publicKey, publicKeys and jwksUrl/],
    ['two key sources', { publicKey: DEV_KEYS.RS256.publicKey, jwksUrl: 'https://idp.example/jwks' }, /exactly one/],
    ['an empty publicKeys', { publicKeys: [] }, /publicKeys is empty/],
    ['an empty issuer', { issuer: '', publicKey: DEV_KEYS.RS256.publicKey }, /issuer/],
    ['an empty audience', { audience: '', publicKey: DEV_KEYS.RS256.publicKey }, /audience/],
    ['HS256 among algorithms', { publicKey: DEV_KEYS.RS256.publicKey, algorithms: ['HS256' as 'RS256'] }, /algorithms must be a non-empty subset/],
    ['no algorithms', { publicKey: DEV_KEYS.RS256.publicKey, algorithms: [] }, /algorithms must be a non-empty subset/],
    ['a key its algorithms exclude', { publicKey: DEV_KEYS.RS256.publicKey, algorithms: ['ES256'] }, /for RS256, which algorithms does not accept/],
    ['a private key', { publicKey: DEV_KEYS.RS256.privateKey }, /publicKey must be an SPKI public key/],
    ['text that is not PEM', { publicKeys: [DEV_KEYS.ES256.publicKey, 'not a key'] }, /publicKeys\[1\] must be an SPKI public key/],
    ['a broken PEM', { publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }, /could not be read as a public key/],
    ['a relative JWKS URL', { jwksUrl: '/jwks.json' }, /jwksUrl is not a URL/],
    ['a file JWKS URL', { jwksUrl: 'file:///etc/jwks.json' }, /http\(s\) URL/],
  ])('refuses at construction %s', (_name, over, message) => {
    const error = thrown(() => createAuthenticator(config(over)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('MII');
  });

  it('refuses at construction keys that are neither RSA (2048+) nor P-256', () => {
    const spki = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();
    const ed25519 = spki(generateKeyPairSync('ed25519').publicKey);
    const p384 = spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    const rsa1024 = spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
    expect(() => createAuthenticator(config({ publicKey: ed25519 }))).toThrow(/neither an RSA key \(RS256\) nor a P-256 key/);
    expect(() => createAuthenticator(config({ publicKey: p384 }))).toThrow(/neither an RSA key/);
    expect(() => createAuthenticator(config({ publicKey: rsa1024 }))).toThrow(/shorter than 2048 bits/);
  });
});

describe('createAuthenticator with a JWKS', () => {
  let server: Server;
  let served: object[] = [];
  let fetches = 0;
  let url: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const idp = { iss: 'https://idp.example', aud: 'treatygate-test' };
  const jwk = async (key: CryptoKey, kid: string, alg: 'RS256' | 'ES256'): Promise<object> => ({ ...(await exportJWK(key)), kid, alg, use: 'sig' });

  it('accepts a token whose kid is served, and a rotated kid after a refresh', async () => {
    // jose times the 30 s cool-down with Date.now(): the clock stands still and is moved
    // forward here instead of waiting, so 29 s is 29 s however slow the steps between are.
    const clock = standStill();
    try {
      const first = await generateKeyPair('ES256', { extractable: true });
      const second = await generateKeyPair('RS256', { extractable: true });
      served = [await jwk(first.publicKey, 'k1', 'ES256')];
      fetches = 0;
      const authenticate = createAuthenticator({ issuer: idp.iss, audience: idp.aud, jwksUrl: url });
      const caller = await authenticate(`Bearer ${await sign(CLAIMS, { ...idp, key: first.privateKey, alg: 'ES256', kid: 'k1' })}`);
      expect(caller.party).toBe('ITA');
      expect(fetches).toBe(1);

      served = [await jwk(second.publicKey, 'k2', 'RS256')];
      const rotated = await sign(CLAIMS, { ...idp, key: second.privateKey, kid: 'k2' });
      // Within the cool-down the set is not refetched: the new kid is still unknown.
      clock.advance(29_000);
      expect((await refusal(authenticate, `Bearer ${rotated}`)).reason).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
      expect(fetches).toBe(1);
      // After it, the unknown kid triggers one refetch, which finds the rotated key.
      clock.advance(2_000);
      expect((await authenticate(`Bearer ${rotated}`)).party).toBe('ITA');
      expect(fetches).toBe(2);
      // A key that is not served stays refused, and cannot force another fetch yet.
      const stranger = await generateKeyPair('RS256');
      await refusal(authenticate, `Bearer ${await sign(CLAIMS, { ...idp, key: stranger.privateKey, kid: 'k9' })}`);
      expect(fetches).toBe(2);
      // Nor is an HS256 token: no JWKS key is ever an HMAC secret.
      const head = `${b64({ alg: 'HS256', kid: 'k2' })}.${b64({ ...CLAIMS, sub: 'x', iss: idp.iss, aud: idp.aud, exp: nowS() + 600 })}`;
      await refusal(authenticate, `Bearer ${head}.${createHmac('sha256', JSON.stringify(served[0])).update(head).digest('base64url')}`);
    } finally {
      clock.restore();
    }
  });

  it('refuses (as UNAUTHENTICATED) when the JWKS cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const authenticate = createAuthenticator({ issuer: idp.iss, audience: idp.aud, jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
    const { privateKey } = await generateKeyPair('ES256');
    await refusal(authenticate, `Bearer ${await sign(CLAIMS, { ...idp, key: privateKey, alg: 'ES256', kid: 'k1' })}`);
  });
});

describe('development keys', () => {
  it('loads both key pairs from keys/dev/', () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      expect(DEV_KEYS[alg].privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(DEV_KEYS[alg].publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    }
    expect(devAuthConfig()).toEqual({ issuer: 'treatygate-dev', audience: 'treatygate', publicKeys: [DEV_KEYS.RS256.publicKey, DEV_KEYS.ES256.publicKey] });
  });

  it('fills in defaults and honours sub, agency and expiresIn', async () => {
    const authenticate = createAuthenticator(devAuthConfig());
    expect(await authenticate(`Bearer ${await signDevToken({ party: 'ESP' })}`)).toEqual({
      sub: 'officer-esp-1',
      agency: 'ESP-AGENCY',
      party: 'ESP',
      clearance: 'STANDARD',
      roles: ['CASEWORKER'],
    });
    const custom = await signDevToken({ party: 'ESP', sub: 'officer-7', agency: 'ESP-GUARDIA', roles: [] }, { expiresIn: '1m' });
    expect(await authenticate(`Bearer ${custom}`)).toMatchObject({ sub: 'officer-7', agency: 'ESP-GUARDIA', roles: [] });
    const payload = JSON.parse(Buffer.from(custom.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number };
    expect(payload.exp - payload.iat).toBe(60);
  });

  it('refuses claims the gateway would refuse', async () => {
    await expect(signDevToken({ party: 'ita' })).rejects.toThrow(/party must be 2-10 capital letters or digits/);
    await expect(signDevToken({ party: 'ITA', sub: '' })).rejects.toThrow(/sub must be/);
    await expect(signDevToken({ party: 'ITA', roles: ['ADMIN' as 'ANALYST'] })).rejects.toThrow(/roles must be among/);
  });

  it('are never used in production', async () => {
    await withNodeEnv('production', async () => {
      await expect(signDevToken({ party: 'ITA' })).rejects.toThrow('development keys are never used in production');
      expect(() => devAuthConfig()).toThrow('development keys are never used in production');
    });
  });
});

describe('resolvePublicKeySetting (JWT_PUBLIC_KEY)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-key-'));
  const pem = DEV_KEYS.ES256.publicKey;

  it('takes PEM text, also with escaped line breaks', () => {
    expect(resolvePublicKeySetting(pem)).toBe(pem.trim());
    expect(resolvePublicKeySetting(pem.trim().replace(/\n/g, '\\n'))).toBe(pem.trim());
    expect(resolvePublicKeySetting(DEV_ES256_CERTIFICATE)).toBe(DEV_ES256_CERTIFICATE.trim());
  });

  it('takes the path of a PEM file, usable by createAuthenticator', async () => {
    writeFileSync(join(dir, 'key.pem'), pem);
    const resolved = resolvePublicKeySetting(join(dir, 'key.pem'));
    expect(resolved).toBe(pem.trim());
    const authenticate = createAuthenticator({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, publicKey: resolved });
    expect((await authenticate(`Bearer ${await signDevToken({ party: 'ITA' }, { alg: 'ES256' })}`)).party).toBe('ITA');
  });

  it('names the setting and echoes nothing when the file is missing', () => {
    const missing = join(dir, 'missing.pem');
    const error = thrown(() => resolvePublicKeySetting(missing));
    expect(error.message).toBe('JWT_PUBLIC_KEY is neither PEM text (-----BEGIN ...) nor the path of a readable file (ENOENT)');
    // A PEM body pasted without its BEGIN line is read as a path: it must not be printed.
    const body = pem.split('\n')[1] ?? '';
    expect(thrown(() => resolvePublicKeySetting(body)).message).not.toContain(body);
  });

  it('refuses a file that is not PEM, and a private key, without echoing them', () => {
    writeFileSync(join(dir, 'bad.pem'), 'secret-material');
    const notPem = thrown(() => resolvePublicKeySetting(join(dir, 'bad.pem')));
    expect(notPem.message).toMatch(/^JWT_PUBLIC_KEY is not a PEM/);
    expect(notPem.message).not.toContain('secret-material');
    writeFileSync(join(dir, 'private.pem'), DEV_KEYS.RS256.privateKey);
    const privateKey = thrown(() => resolvePublicKeySetting(join(dir, 'private.pem')));
    expect(privateKey.message).toBe('JWT_PUBLIC_KEY must hold a public key (BEGIN PUBLIC KEY) or a certificate (BEGIN CERTIFICATE), not BEGIN PRIVATE KEY');
    expect(() => resolvePublicKeySetting('  ')).toThrow('JWT_PUBLIC_KEY is empty');
  });
});

describe('npm run token', () => {
  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runTokenCommand(args, { out: (text) => (out += text), err: (text) => (err += text) });
    return { code, out, err };
  };
  const authenticate = createAuthenticator(devAuthConfig());

  it('prints only the token, on one line, with repeated and comma-separated roles', async () => {
    const { code, out, err } = await run(['--party', 'ITA', '--clearance', 'ELEVATED', '--roles', 'CASEWORKER,DATA_CONTROLLER', '--roles', 'OVERSIGHT']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await authenticate(`Bearer ${out.trim()}`)).toEqual({
      sub: 'officer-ita-1',
      agency: 'ITA-AGENCY',
      party: 'ITA',
      clearance: 'ELEVATED',
      roles: ['CASEWORKER', 'DATA_CONTROLLER', 'OVERSIGHT'],
    });
  });

  it('takes --sub, --agency, --alg and --expires', async () => {
    const { code, out } = await run(['--party', 'IOM', '--sub', 'x', '--agency', 'y', '--alg', 'ES256', '--expires', '30m']);
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.from(out.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    expect(await authenticate(`Bearer ${out.trim()}`)).toMatchObject({ sub: 'x', agency: 'y', party: 'IOM', clearance: 'STANDARD', roles: ['CASEWORKER'] });
  });

  it.each<[string, string[], RegExp]>([
    ['no party', ['--clearance', 'ELEVATED'], /--party is required/],
    ['a bad party code', ['--party', 'Italy'], /--party is required: a party code of 2-10 capital letters or digits/],
    ['an unknown clearance', ['--party', 'ITA', '--clearance', 'TOP'], /--clearance must be one of STANDARD, ELEVATED, SPECIAL/],
    ['an unknown role', ['--party', 'ITA', '--roles', 'CASEWORKER,ADMIN'], /--roles: unknown role\(s\) ADMIN/],
    ['an unknown algorithm', ['--party', 'ITA', '--alg', 'HS256'], /--alg must be RS256 or ES256/],
    ['a negative time span', ['--party', 'ITA', '--expires=-1h'], /--expires must be a time span/],
    ['a time span in years', ['--party', 'ITA', '--expires', '10y'], /--expires must be a time span such as 30m, 8h or 2d/],
    ['an empty sub', ['--party', 'ITA', '--sub', ''], /--sub must be 1-200 characters/],
    ['an unknown option', ['--party', 'ITA', '--admin'], /Unknown option '--admin'/],
    ['a positional argument', ['ITA'], /positional/i],
  ])('exits 2 with a clear message on %s', async (_name, args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err).toMatch(/usage: npm run token/);
  });

  it('reports every problem at once', async () => {
    const { err } = await run(['--party', 'x', '--clearance', 'TOP', '--roles', 'ADMIN']);
    expect(err.split('\n').filter((line) => line.startsWith('--'))).toHaveLength(3);
  });

  it('refuses under NODE_ENV=production', async () => {
    const { code, out, err } = await withNodeEnv('production', () => run(['--party', 'ITA']));
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(/never used in production/);
  });

  it('runs as a command through tsx', async () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const script = join(__dirname, '..', '..', 'src', 'cli', 'token.ts');
    const { stdout, stderr } = await promisify(execFile)(tsx, [script, '--party', 'ITA', '--roles', 'ANALYST'], { env: { ...process.env, NODE_ENV: 'development' } });
    expect(stderr).toBe('');
    expect(stdout.split('\n')).toHaveLength(2);
    expect((await authenticate(`Bearer ${stdout.trim()}`)).roles).toEqual(['ANALYST']);
    const refused = await promisify(execFile)(tsx, [script, '--party', 'ITA'], { env: { ...process.env, NODE_ENV: 'production' } }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused?.stderr).toMatch(/never used in production/);
  });
});
