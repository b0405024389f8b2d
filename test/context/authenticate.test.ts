/** Token verification: what is accepted, and each way a token is refused. */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importPKCS8, type CryptoKey } from 'jose';
import { AuthenticationError, createAuthenticator, type Authenticate } from '../../src/context/authenticate';
import { DEV_AUDIENCE, DEV_ISSUER, devKeyPem, devPublicKeys, signDevToken } from '../../src/context/devKeys';
import { resolvePublicKeySetting } from '../../src/context/loadPublicKey';

const claims = { agency: 'ITA-POLICE', party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };

async function sign(
  body: Record<string, unknown>,
  options: { key?: CryptoKey; alg?: string; iss?: string; aud?: string; exp?: number | string; nbf?: number; sub?: string | null; kid?: string } = {},
): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const key = options.key ?? (await importPKCS8(devKeyPem('RS256', 'private'), 'RS256'));
  const jwt = new SignJWT(body).setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt();
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'officer-1');
  jwt.setIssuer(options.iss ?? DEV_ISSUER).setAudience(options.aud ?? DEV_AUDIENCE).setExpirationTime(options.exp ?? '1h');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(key);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authenticate', () => {
  let authenticate: Authenticate;
  beforeAll(async () => {
    authenticate = await createAuthenticator({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, publicKeys: devPublicKeys() });
  });

  const refused = async (header: string | undefined, reason?: RegExp): Promise<void> => {
    const error: unknown = await authenticate(header).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('UNAUTHENTICATED');
    if (reason) expect((error as AuthenticationError).reason).toMatch(reason);
  };

  it.each(['RS256', 'ES256'] as const)('accepts a %s development token', async (alg) => {
    const token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER', 'DATA_CONTROLLER'] }, { alg });
    expect(await authenticate(`Bearer ${token}`)).toEqual({
      sub: 'officer-ita-1',
      agency: 'ITA-AGENCY',
      party: 'ITA',
      clearance: 'ELEVATED',
      roles: ['CASEWORKER', 'DATA_CONTROLLER'],
    });
  });

  it('refuses a missing header, another scheme and garbage', async () => {
    await refused(undefined, /no Authorization header/);
    await refused(`Basic ${Buffer.from('a:b').toString('base64')}`, /not a Bearer token/);
    await refused('Bearer not.a.jwt');
    await refused(`Bearer ${'a'.repeat(9000)}`, /too long/);
  });

  it('refuses expired, not-yet-valid, wrong issuer and wrong audience tokens', async () => {
    await refused(`Bearer ${await sign(claims, { exp: Math.floor(Date.now() / 1000) - 60 })}`, /ERR_JWT_EXPIRED/);
    await refused(`Bearer ${await sign(claims, { nbf: Math.floor(Date.now() / 1000) + 600 })}`, /nbf/);
    await refused(`Bearer ${await sign(claims, { iss: 'someone-else' })}`, /iss/);
    await refused(`Bearer ${await sign(claims, { aud: 'another-service' })}`, /aud/);
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refused(`Bearer ${await sign(claims, { key: privateKey })}`, /signature/);
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...claims, sub: 'x', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now + 600 };
    await refused(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`);
  });

  it('refuses HS256 signed with the public key as its secret (key confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, sub: 'x', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now + 600 })}`;
    const signature = createHmac('sha256', devKeyPem('RS256', 'public')).update(head).digest('base64url');
    await refused(`Bearer ${head}.${signature}`, /alg/);
  });

  it.each<[string, Record<string, unknown>, { sub?: string | null }]>([
    ['no party', { ...claims, party: undefined }, {}],
    ['a lowercase party', { ...claims, party: 'ita' }, {}],
    ['an unknown clearance', { ...claims, clearance: 'TOP_SECRET' }, {}],
    ['an unknown role', { ...claims, roles: ['CASEWORKER', 'ADMIN'] }, {}],
    ['roles not an array', { ...claims, roles: 'CASEWORKER' }, {}],
    ['no agency', { ...claims, agency: '' }, {}],
    ['no sub', claims, { sub: null }],
  ])('refuses a token with %s', async (_name, body, options) => {
    await refused(`Bearer ${await sign(body, options)}`);
  });

  it('refuses development tokens in production', async () => {
    const previous = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      await expect(signDevToken({ party: 'ITA' })).rejects.toThrow('development keys are never used in production');
    } finally {
      process.env['NODE_ENV'] = previous;
    }
  });
});

describe('JWKS', () => {
  let server: Server;
  let keys: object[] = [];
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a known kid, and a rotated key after a refresh', async () => {
    const first = await generateKeyPair('ES256', { extractable: true });
    keys = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    const authenticate = await createAuthenticator({ issuer: 'idp', audience: 'tg', jwksUrl: url, jwksCooldownMs: 1_000 });
    const caller = await authenticate(`Bearer ${await sign(claims, { key: first.privateKey, alg: 'ES256', iss: 'idp', aud: 'tg', kid: 'k1' })}`);
    expect(caller.party).toBe('ITA');

    const second = await generateKeyPair('RS256', { extractable: true });
    keys = [{ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }];
    const rotated = await sign(claims, { key: second.privateKey, alg: 'RS256', iss: 'idp', aud: 'tg', kid: 'k2' });
    // Within the cool-down the set is not refetched: the new kid is still unknown.
    await expect(authenticate(`Bearer ${rotated}`)).rejects.toBeInstanceOf(AuthenticationError);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await authenticate(`Bearer ${rotated}`)).party).toBe('ITA');
    const unknown = await generateKeyPair('RS256');
    await expect(authenticate(`Bearer ${await sign(claims, { key: unknown.privateKey, iss: 'idp', aud: 'tg', kid: 'k9' })}`)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });
});

describe('JWT_PUBLIC_KEY setting', () => {
  it('takes PEM text or a path, and names the setting on failure without echoing it', () => {
    const pem = devKeyPem('ES256', 'public');
    expect(resolvePublicKeySetting(pem)).toBe(pem.trim());
    const dir = mkdtempSync(join(tmpdir(), 'tg-key-'));
    writeFileSync(join(dir, 'key.pem'), pem);
    expect(resolvePublicKeySetting(join(dir, 'key.pem'))).toBe(pem.trim());
    expect(() => resolvePublicKeySetting(join(dir, 'missing.pem'))).toThrow('JWT_PUBLIC_KEY: cannot read the key file (ENOENT)');
    writeFileSync(join(dir, 'bad.pem'), 'secret-material');
    expect(() => resolvePublicKeySetting(join(dir, 'bad.pem'))).toThrow('JWT_PUBLIC_KEY: the key file is not a PEM file');
  });

  it('refuses a key that is neither RSA nor P-256', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(createAuthenticator({ issuer: 'i', audience: 'a', publicKeys: [pem] })).rejects.toThrow(/neither an RSA key/);
  });
});
