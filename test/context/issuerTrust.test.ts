/**
 * The issuer-trust authenticator on its own (no HTTP, no database): which issuer may
 * speak for which party, and the reason each refusal gives the log. The HTTP behaviour,
 * two instances and the shared replay cache are in test/server/issuerTrust.test.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, decodeJwt, exportJWK, exportSPKI, generateKeyPair, importPKCS8, type CryptoKey } from 'jose';
import { runTokenCommand } from '../../src/cli/token';
import { devIdentityProvider, devKeyPem, devPublicKeys } from '../../src/dev/devKeys';
import { AuthenticationError, type Authenticate, type RequestFacts } from '../../src/context/authenticate';
import { createIssuerTrustAuthenticator } from '../../src/context/issuerTrust';
import type { TrustDoc } from '../../src/data/documents';

const AUDIENCE = 'treatygate';
const URL_ = 'https://gateway.example/graphql';
let itaKey: { privateKey: CryptoKey; publicKey: CryptoKey };
let espKey: { privateKey: CryptoKey; publicKey: CryptoKey };
let shortcutKey: { privateKey: CryptoKey; publicKey: CryptoKey };
const registry = new Map<string, TrustDoc>();
const seen = new Set<string>();
let authenticate: Authenticate;

const sign = (key: CryptoKey, iss: string, claims: Record<string, unknown>) =>
  new SignJWT({ agency: 'A', clearance: 'STANDARD', roles: [], ...claims })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(iss)
    .setAudience(AUDIENCE)
    .setSubject('s')
    .setExpirationTime('5m')
    .sign(key);

async function reason(header: string, request?: RequestFacts): Promise<string> {
  const error = await authenticate(header, request).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return (error as AuthenticationError).reason;
}

beforeAll(async () => {
  [itaKey, espKey, shortcutKey] = await Promise.all([generateKeyPair('ES256'), generateKeyPair('ES256'), generateKeyPair('ES256')]);
  const provider = async (issuer: string, key: CryptoKey) => ({ issuer, audience: AUDIENCE, jwksUrl: null, publicKeys: [await exportSPKI(key)], algorithms: ['ES256' as const] });
  registry.set('ITA', { _id: 'ITA', requireDpop: false, identityProviders: [await provider('idp-ita', itaKey.publicKey)], updatedAt: new Date() });
  registry.set('ESP', { _id: 'ESP', requireDpop: true, identityProviders: [await provider('idp-esp', espKey.publicKey)], updatedAt: new Date() });
  authenticate = createIssuerTrustAuthenticator({
    registry: { byParty: async () => registry },
    shortcut: { config: { issuer: 'national-idp', audience: AUDIENCE, publicKey: await exportSPKI(shortcutKey.publicKey) }, parties: ['GRC'] },
    replay: { remember: async (id) => (seen.has(id) ? false : (seen.add(id), true)) },
  });
});

it('lets a registered issuer speak for its own party only, naming the reason otherwise', async () => {
  await expect(authenticate(`Bearer ${await sign(itaKey.privateKey, 'idp-ita', { party: 'ITA' })}`)).resolves.toMatchObject({ party: 'ITA' });
  expect(await reason(`Bearer ${await sign(itaKey.privateKey, 'idp-ita', { party: 'ESP' })}`)).toBe('issuer "idp-ita" is not registered for ESP, the party the token claims');
  expect(await reason(`Bearer ${await sign(itaKey.privateKey, 'idp-nowhere', { party: 'ITA' })}`)).toBe('issuer "idp-nowhere" is registered for no party');
  expect(await reason(`Bearer ${await sign(itaKey.privateKey, 'idp-esp', { party: 'ESP' })}`)).toMatch(/signature verification failed/);
  expect(await reason(`Bearer ${await sign(itaKey.privateKey, 'idp-ita', { party: 'ita' })}`)).toBe('bad party claim');
});

it('keeps the single issuer to the parties it is configured for', async () => {
  await expect(authenticate(`Bearer ${await sign(shortcutKey.privateKey, 'national-idp', { party: 'GRC' })}`)).resolves.toMatchObject({ party: 'GRC' });
  expect(await reason(`Bearer ${await sign(shortcutKey.privateKey, 'national-idp', { party: 'ITA' })}`)).toBe('issuer "national-idp" (JWT_ISSUER) does not speak for ITA (JWT_PARTIES)');
});

it('requires DPoP where the registry says so, and checks the proof', async () => {
  const client = await generateKeyPair('ES256');
  const jwk = await exportJWK(client.publicKey);
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  const unbound = await sign(espKey.privateKey, 'idp-esp', { party: 'ESP' });
  expect(await reason(`Bearer ${unbound}`)).toBe('ESP accepts only DPoP-bound tokens (requireDpop)');
  const bound = await sign(espKey.privateKey, 'idp-esp', { party: 'ESP', cnf: { jkt } });
  const proof = (claims: Record<string, unknown> = {}) =>
    new SignJWT({ htm: 'POST', htu: URL_, jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(bound).digest('base64url'), ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(client.privateKey);
  const request = async (claims?: Record<string, unknown>) => ({ method: 'POST', url: URL_, dpop: await proof(claims) });
  expect(await reason(`Bearer ${bound}`)).toBe('DPoP-bound token presented as a bearer token');
  expect(await reason(`DPoP ${bound}`, { method: 'POST', url: URL_ })).toBe('DPoP-bound token without a DPoP proof');
  const once = await request();
  await expect(authenticate(`DPoP ${bound}`, once)).resolves.toMatchObject({ party: 'ESP' });
  expect(await reason(`DPoP ${bound}`, once)).toBe('DPoP proof replayed (jti already used)');
  expect(await reason(`DPoP ${bound}`, await request({ htm: 'GET' }))).toBe('DPoP proof htm is not the request method');
  expect(await reason(`DPoP ${bound}`, await request({ htu: 'https://gateway.example/other' }))).toBe('DPoP proof htu is not the request URL');
  expect(await reason(`DPoP ${bound}`, await request({ iat: Math.floor(Date.now() / 1000) - 120 }))).toBe('DPoP proof iat outside the accepted window');
  expect(await reason(`DPoP ${bound}`, await request({ ath: 'x' }))).toBe('DPoP proof ath is not the hash of the access token');
  // The query string of the request URL does not count (RFC 9449, section 4.3).
  await expect(authenticate(`DPoP ${bound}`, { method: 'POST', url: `${URL_}?a=1`, dpop: await proof() })).resolves.toMatchObject({ party: 'ESP' });
  // A proof whose header carries a private key is refused.
  const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
  const leaked = await new SignJWT({ htm: 'POST', htu: URL_, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: privateJwk })
    .sign(client.privateKey);
  expect(await reason(`DPoP ${bound}`, { method: 'POST', url: URL_, dpop: leaked })).toMatch(/^DPoP proof: /);
  expect(await reason(`DPoP ${unbound}`, await request())).toBe('ESP accepts only DPoP-bound tokens (requireDpop)');
});

describe('npm run token for the development identity providers', () => {
  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runTokenCommand(args, { out: (text) => (out += text), err: (text) => (err += text) });
    return { code, out, err };
  };
  const dev = createIssuerTrustAuthenticator({
    registry: { byParty: async () => new Map([['GRC', { _id: 'GRC', requireDpop: true, identityProviders: [devIdentityProvider('GRC')], updatedAt: new Date() }]]) },
    replay: { remember: async (id) => (seen.has(id) ? false : (seen.add(id), true)) },
  });

  it('mints from the party\'s own development provider, bound to a proof key, and mints proofs', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'tg-dpop-')), 'key.json');
    const minted = await run(['--party', 'GRC', '--issuer', 'party', '--dpop-key', keyFile]);
    expect(minted).toMatchObject({ code: 0, err: `wrote a new DPoP proof key to ${keyFile}\n` });
    const token = minted.out.trim();
    expect(decodeJwt(token)).toMatchObject({ iss: 'treatygate-dev-grc', party: 'GRC', cnf: { jkt: expect.any(String) } });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const proof = async () => (await run(['--proof', '--dpop-key', keyFile, '--token', token, '--htu', URL_])).out.trim();
    await expect(dev(`DPoP ${token}`, { method: 'POST', url: URL_, dpop: await proof() })).resolves.toMatchObject({ party: 'GRC' });
    await expect(dev(`DPoP ${token}`, { method: 'POST', url: URL_, dpop: await proof() })).resolves.toMatchObject({ party: 'GRC' });
    // The same key file binds the next token to the same key.
    const again = (await run(['--party', 'GRC', '--issuer', 'party', '--dpop-key', keyFile])).out.trim();
    expect((decodeJwt(again)['cnf'] as { jkt: string }).jkt).toBe((decodeJwt(token)['cnf'] as { jkt: string }).jkt);
    // Not registered for another party's provider; and the shared development issuer is not in this registry.
    await expect(dev(`Bearer ${(await run(['--party', 'GRC'])).out.trim()}`)).rejects.toMatchObject({ reason: 'issuer "treatygate-dev" is registered for no party' });
    expect((await run(['--proof', '--dpop-key', keyFile])).code).toBe(2);
    expect((await run(['--party', 'GRC', '--issuer', 'elsewhere'])).code).toBe(2);
  });
});

it('never trusts a registered development key where the development keys are refused (production)', async () => {
  const production = createIssuerTrustAuthenticator({
    registry: { byParty: async () => new Map([['ITA', { _id: 'ITA', requireDpop: false, identityProviders: [{ ...devIdentityProvider('ITA'), issuer: 'https://idp.looks-real.example' }], updatedAt: new Date() }]]) },
    replay: { remember: async () => true },
    refusedKeys: devPublicKeys(),
  });
  const token = await new SignJWT({ party: 'ITA', agency: 'A', clearance: 'SPECIAL', roles: ['OVERSIGHT'] })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('https://idp.looks-real.example')
    .setAudience('treatygate')
    .setSubject('s')
    .setExpirationTime('5m')
    .sign(await importPKCS8(devKeyPem('RS256', 'private'), 'RS256'));
  await expect(production(`Bearer ${token}`)).rejects.toMatchObject({
    reason: 'the registered keys of issuer "https://idp.looks-real.example" for ITA include a development key, which is public knowledge and never accepted here',
  });
});
