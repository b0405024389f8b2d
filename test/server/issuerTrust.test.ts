/**
 * Trust between states over HTTP (issue 16): two gateway instances on one database, with
 * identity providers registered per party in the trust registry.
 *
 * - Italy's provider pins an ES256 key; Spain's publishes a JWKS (served here), RS256.
 * - Each party's token works; a token from one provider claiming the other party, or from
 *   an unregistered issuer, is refused; a registry change takes effect on both instances
 *   within the cache bound (AGREEMENT_CACHE_TTL_MS).
 * - Keys rotate while requests run: a new key works at once, a removed key is refused
 *   within the bound (JWKS_CACHE_MAX_AGE_MS, or the registry's TTL for pinned keys), and
 *   no request with a current key fails meanwhile.
 * - DPoP (RFC 9449) for Greece, whose entry requires it: a valid proof passes; a replayed
 *   proof (on the other instance: the replay cache is shared through MongoDB), a proof for
 *   another URL or method, a stale `iat`, a proof by another key and a bound token without
 *   its proof are refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { importWorld } from '../../src/world/importWorld';
import { startTestGateway, type TestGateway } from '../support/testGateway';

const AUDIENCE = 'treatygate';
const PUBLIC_URL = 'http://gateway.treatygate.test';
const ENV = { AGREEMENT_CACHE_TTL_MS: '300', JWKS_CACHE_MAX_AGE_MS: '1000', JWKS_COOLDOWN_MS: '0', PUBLIC_URL };
const ME = '{ me { party sub } }';

interface Provider {
  issuer: string;
  alg: 'ES256' | 'RS256';
  keys: { kid: string; privateKey: CryptoKey; publicKey: CryptoKey }[];
}

let one: TestGateway;
let two: TestGateway;
let jwksServer: Server;
let jwksUrl = '';
/** What the JWKS endpoint serves now. */
let published: JWK[] = [];

const ita: Provider = { issuer: 'https://idp.interno.it.example', alg: 'ES256', keys: [] };
const esp: Provider = { issuer: 'https://idp.interior.es.example', alg: 'RS256', keys: [] };
const grc: Provider = { issuer: 'https://idp.gov.gr.example', alg: 'ES256', keys: [] };
const rogue: Provider = { issuer: 'https://idp.rogue.example', alg: 'ES256', keys: [] };

async function newKey(provider: Provider): Promise<Provider['keys'][number]> {
  const pair = await generateKeyPair(provider.alg, { extractable: true });
  const key = { kid: randomUUID(), ...pair };
  provider.keys.push(key);
  return key;
}

async function mint(provider: Provider, party: string, options: { kid?: string; cnf?: { jkt: string } } = {}): Promise<string> {
  const key = provider.keys.find((k) => k.kid === (options.kid ?? provider.keys[0]!.kid))!;
  return new SignJWT({ party, agency: `${party}-AGENCY`, clearance: 'STANDARD', roles: ['CASEWORKER'], ...(options.cnf ? { cnf: options.cnf } : {}) })
    .setProtectedHeader({ alg: provider.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(provider.issuer)
    .setAudience(AUDIENCE)
    .setSubject(`officer-${party.toLowerCase()}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key.privateKey);
}

/** Status and party of `{ me }` on a gateway, with the headers given. */
async function me(gateway: TestGateway, headers: Record<string, string>): Promise<{ status: number; party: string | null }> {
  const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: ME }) });
  const body = (await response.json()) as { data?: { me?: { party: string } } };
  return { status: response.status, party: body.data?.me?.party ?? null };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const pem = async (key: CryptoKey) => exportSPKI(key);
const trust = () => one.db.collection('trust');

async function register(party: string, providers: object[], requireDpop = false): Promise<void> {
  await trust().replaceOne({ _id: party as never }, { requireDpop, identityProviders: providers, updatedAt: new Date() }, { upsert: true });
}
const pinned = async (provider: Provider, kids?: string[]) => ({
  issuer: provider.issuer,
  audience: AUDIENCE,
  jwksUrl: null,
  publicKeys: await Promise.all(provider.keys.filter((k) => !kids || kids.includes(k.kid)).map((k) => pem(k.publicKey))),
  algorithms: [provider.alg],
});

/** Waits until `check` holds (polling), failing after `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

  for (const provider of [ita, esp, grc, rogue]) await newKey(provider);
  published = [{ ...(await exportJWK(esp.keys[0]!.publicKey)), kid: esp.keys[0]!.kid, alg: 'RS256', use: 'sig' }];

  one = await startTestGateway({ dbName: 'test_issuer_trust', fixture: true, env: ENV });
  two = await startTestGateway({ dbName: 'test_issuer_trust', shareDatabase: true, env: ENV });
  // As an operator registers parties: an import file's `trust` collection.
  const summary = await importWorld(one.client, one.db, {
    trust: [
      { party: 'ITA', identityProviders: [{ issuer: ita.issuer, audience: AUDIENCE, publicKeys: [await pem(ita.keys[0]!.publicKey)], algorithms: ['ES256'] }] },
      { party: 'ESP', identityProviders: [{ issuer: esp.issuer, audience: AUDIENCE, jwksUrl }] },
      { party: 'GRC', requireDpop: true, identityProviders: [{ issuer: grc.issuer, audience: AUDIENCE, publicKeys: [await pem(grc.keys[0]!.publicKey)] }] },
    ],
  }, 'trust.json');
  expect(summary.trust).toBe(3);
});
afterAll(async () => {
  await one?.close();
  await two?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

describe('each party speaks only through its own identity provider', () => {
  it('accepts each party\'s token on both instances', async () => {
    const itaToken = await mint(ita, 'ITA');
    const espToken = await mint(esp, 'ESP');
    for (const gateway of [one, two]) {
      await within(2_000, async () => (await me(gateway, bearer(itaToken))).status === 200);
      expect(await me(gateway, bearer(itaToken))).toEqual({ status: 200, party: 'ITA' });
      expect(await me(gateway, bearer(espToken))).toEqual({ status: 200, party: 'ESP' });
    }
  });

  it('refuses a token from one provider claiming the other party, and an unregistered issuer', async () => {
    for (const gateway of [one, two]) {
      expect((await me(gateway, bearer(await mint(ita, 'ESP')))).status).toBe(401);
      expect((await me(gateway, bearer(await mint(esp, 'ITA')))).status).toBe(401);
      expect((await me(gateway, bearer(await mint(rogue, 'ITA')))).status).toBe(401);
      // A token of Spain's issuer signed with Italy's key: refused by Spain's keys.
      const forged = await new SignJWT({ party: 'ESP', agency: 'X', clearance: 'STANDARD', roles: [] })
        .setProtectedHeader({ alg: 'ES256', kid: ita.keys[0]!.kid })
        .setIssuer(esp.issuer)
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setExpirationTime('10m')
        .sign(ita.keys[0]!.privateKey);
      expect((await me(gateway, bearer(forged))).status).toBe(401);
    }
  });

  it('applies a registry change on both instances within the cache bound', async () => {
    const itaToken = await mint(ita, 'ITA');
    await register('ITA', []);
    for (const gateway of [one, two]) expect(await within(2_000, async () => (await me(gateway, bearer(itaToken))).status === 401)).toBeLessThan(2_000);
    await register('ITA', [await pinned(ita)]);
    for (const gateway of [one, two]) await within(2_000, async () => (await me(gateway, bearer(itaToken))).status === 200);
  });
});

describe('key rotation without downtime', () => {
  it('JWKS: a new key works at once, the old one is refused within JWKS_CACHE_MAX_AGE_MS, no current request fails', async () => {
    const old = esp.keys[0]!;
    const next = await newKey(esp);
    const failures: number[] = [];
    let running = true;
    // Requests with a current key run throughout the rotation, on both instances.
    const traffic = (async () => {
      let current = old.kid;
      while (running) {
        const kid = published.some((k) => k.kid === next.kid) ? next.kid : current;
        current = kid;
        const results = await Promise.all([one, two].map(async (g) => (await me(g, bearer(await mint(esp, 'ESP', { kid })))).status));
        for (const status of results) if (status !== 200) failures.push(status);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Publish the new key beside the old one: tokens of either pass.
    published = [...published, { ...(await exportJWK(next.publicKey)), kid: next.kid, alg: 'RS256', use: 'sig' }];
    for (const gateway of [one, two]) expect((await me(gateway, bearer(await mint(esp, 'ESP', { kid: next.kid })))).status).toBe(200);
    // Withdraw the old key: refused within the cache bound (1 s here).
    published = published.filter((k) => k.kid !== old.kid);
    const oldToken = await mint(esp, 'ESP', { kid: old.kid });
    for (const gateway of [one, two]) expect(await within(3_000, async () => (await me(gateway, bearer(oldToken))).status === 401)).toBeLessThan(3_000);
    running = false;
    await traffic;
    expect(failures).toEqual([]);
  });

  it('pinned keys: both keys work during the rotation; the removed key is refused within the registry\'s TTL', async () => {
    const old = ita.keys[0]!;
    const next = await newKey(ita);
    await register('ITA', [await pinned(ita)]);
    const nextToken = await mint(ita, 'ITA', { kid: next.kid });
    const oldToken = await mint(ita, 'ITA', { kid: old.kid });
    for (const gateway of [one, two]) {
      await within(2_000, async () => (await me(gateway, bearer(nextToken))).status === 200);
      expect((await me(gateway, bearer(oldToken))).status).toBe(200);
    }
    await register('ITA', [await pinned(ita, [next.kid])]);
    for (const gateway of [one, two]) {
      await within(2_000, async () => (await me(gateway, bearer(oldToken))).status === 401);
      expect((await me(gateway, bearer(nextToken))).status).toBe(200);
    }
  });
});

describe('DPoP: sender-constrained tokens, required for Greece', () => {
  let client: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK; jkt: string };
  const url = `${PUBLIC_URL}/graphql`;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(pair.publicKey);
    client = { ...pair, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
  });

  const proof = async (token: string, claims: Record<string, unknown> = {}, key = client) =>
    new SignJWT({
      htm: 'POST',
      htu: url,
      jti: randomUUID(),
      ath: createHash('sha256').update(token).digest('base64url'),
      iat: Math.floor(Date.now() / 1000),
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(key.privateKey);
  const dpop = (token: string, proofJwt: string) => ({ authorization: `DPoP ${token}`, dpop: proofJwt });

  it('passes a valid proof, on either instance', async () => {
    const token = await mint(grc, 'GRC', { cnf: { jkt: client.jkt } });
    expect(await me(one, dpop(token, await proof(token)))).toEqual({ status: 200, party: 'GRC' });
    expect(await me(two, dpop(token, await proof(token)))).toEqual({ status: 200, party: 'GRC' });
  });

  it('refuses a replayed proof, on the other instance too (the replay cache is shared)', async () => {
    const token = await mint(grc, 'GRC', { cnf: { jkt: client.jkt } });
    const once = await proof(token);
    expect((await me(one, dpop(token, once))).status).toBe(200);
    expect((await me(one, dpop(token, once))).status).toBe(401);
    expect((await me(two, dpop(token, once))).status).toBe(401);
  });

  it('refuses a proof for another URL or method, a stale iat, another key, or another token', async () => {
    const token = await mint(grc, 'GRC', { cnf: { jkt: client.jkt } });
    const other = await generateKeyPair('ES256', { extractable: true });
    const otherJwk = await exportJWK(other.publicKey);
    const otherKey = { ...other, jwk: otherJwk, jkt: await calculateJwkThumbprint(otherJwk, 'sha256') };
    const refused = [
      await proof(token, { htu: `${PUBLIC_URL}/other` }),
      await proof(token, { htu: 'http://elsewhere.example/graphql' }),
      await proof(token, { htm: 'GET' }),
      await proof(token, { iat: Math.floor(Date.now() / 1000) - 600 }),
      await proof(token, { iat: Math.floor(Date.now() / 1000) + 600 }),
      await proof(token, {}, otherKey),
      await proof(token, { ath: createHash('sha256').update('another token').digest('base64url') }),
      await proof(token, { jti: undefined }),
    ];
    for (const p of refused) expect((await me(one, dpop(token, p))).status).toBe(401);
    // A well-formed proof still passes: the refusals were about the proofs.
    expect((await me(one, dpop(token, await proof(token)))).status).toBe(200);
  });

  it('refuses a bound token without its proof, and an unbound token where the party requires DPoP', async () => {
    const token = await mint(grc, 'GRC', { cnf: { jkt: client.jkt } });
    expect((await me(one, bearer(token))).status).toBe(401);
    expect((await me(one, { authorization: `DPoP ${token}` })).status).toBe(401);
    expect((await me(two, bearer(await mint(grc, 'GRC')))).status).toBe(401);
    // Two proofs in one request are refused.
    expect((await me(one, { authorization: `DPoP ${token}`, dpop: `${await proof(token)}, ${await proof(token)}` })).status).toBe(401);
  });

  it('binds tokens of a party that does not require DPoP too, when its provider binds them', async () => {
    const token = await mint(ita, 'ITA', { kid: ita.keys.at(-1)!.kid, cnf: { jkt: client.jkt } });
    expect((await me(one, bearer(token))).status).toBe(401);
    expect(await me(one, dpop(token, await proof(token)))).toEqual({ status: 200, party: 'ITA' });
  });
});
