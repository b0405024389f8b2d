/**
 * `npm run bench:auth`: what trust between parties costs per request, measured side by
 * side in one process, in alternating rounds (BENCH_AUTH_ROUNDS, default 5, of
 * BENCH_AUTH_N authentications each, default 2,000):
 *
 * - `single`: the single issuer (the development keys, ES256): verifying as before issue 16;
 * - `registry`: a provider of the trust registry (pinned ES256 key), chosen by the token's
 *   issuer and party from the cached registry;
 * - `dpop`: the same, with a DPoP-bound token and a fresh proof per request (proof
 *   signature, thumbprint, claim checks; the replay cache in memory, so the database's
 *   insert, one round trip, is not counted).
 *
 * Tokens and proofs are made before each round (not timed). Prints µs per authentication
 * per round, and the median and range of each mode's ratio to `single`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { Authenticate, RequestFacts } from '../src/context/authenticate';
import { createIssuerTrustAuthenticator } from '../src/context/issuerTrust';
import { devAuthConfig, signDevToken } from '../src/dev/devKeys';
import type { TrustDoc } from '../src/data/documents';

const N = Number(process.env['BENCH_AUTH_N'] ?? 2_000);
const ROUNDS = Number(process.env['BENCH_AUTH_ROUNDS'] ?? 5);
const URL_ = 'https://gateway.example/graphql';

type Call = { header: string; request?: RequestFacts };

async function main(): Promise<void> {
  const idp = await generateKeyPair('ES256');
  const client = await generateKeyPair('ES256');
  const jwk = await exportJWK(client.publicKey);
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  const registry = new Map<string, TrustDoc>([
    ['ESP', { _id: 'ESP', requireDpop: false, identityProviders: [{ issuer: 'https://idp.es.example', audience: 'treatygate', jwksUrl: null, publicKeys: [await exportSPKI(idp.publicKey)], algorithms: ['ES256'] }], updatedAt: new Date() }],
  ]);
  const seen = new Set<string>();
  const authenticate: Authenticate = createIssuerTrustAuthenticator({
    registry: { byParty: async () => registry },
    shortcut: { config: devAuthConfig(), parties: 'ANY' },
    replay: { remember: async (id) => (seen.has(id) ? false : (seen.add(id), true)) },
  });
  const registryToken = (cnf?: { jkt: string }) =>
    new SignJWT({ party: 'ESP', agency: 'ESP-AGENCY', clearance: 'STANDARD', roles: ['CASEWORKER'], ...(cnf ? { cnf } : {}) })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://idp.es.example')
      .setAudience('treatygate')
      .setSubject('officer')
      .setExpirationTime('1h')
      .sign(idp.privateKey);
  // Same algorithm as the registered provider (ES256), so the comparison is of the path, not the algorithm.
  const single = await signDevToken({ party: 'ESP' }, { alg: 'ES256' });
  const plain = await registryToken();
  const bound = await registryToken({ jkt });

  const calls: Record<string, () => Promise<Call[]>> = {
    single: async () => Array.from({ length: N }, () => ({ header: `Bearer ${single}` })),
    registry: async () => Array.from({ length: N }, () => ({ header: `Bearer ${plain}` })),
    dpop: async () =>
      Promise.all(
        Array.from({ length: N }, async () => ({
          header: `DPoP ${bound}`,
          request: {
            method: 'POST',
            url: URL_,
            dpop: await new SignJWT({ htm: 'POST', htu: URL_, jti: randomUUID(), ath: createHash('sha256').update(bound).digest('base64url') })
              .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
              .setIssuedAt()
              .sign(client.privateKey),
          },
        })),
      ),
  };
  const modes = Object.keys(calls);
  const perRound: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  // Warm-up: each mode once.
  for (const mode of modes) for (const call of (await calls[mode]!()).slice(0, 200)) await authenticate(call.header, call.request);
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) {
      const batch = await calls[mode]!();
      const start = process.hrtime.bigint();
      for (const call of batch) await authenticate(call.header, call.request);
      const micros = Number(process.hrtime.bigint() - start) / 1_000 / N;
      perRound[mode]!.push(micros);
    }
  }
  const lines = ['mode       ' + Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`.padStart(10)).join('') + '   (µs per authentication)'];
  for (const mode of modes) lines.push(mode.padEnd(11) + perRound[mode]!.map((v) => v.toFixed(1).padStart(10)).join(''));
  lines.push('');
  for (const mode of modes.slice(1)) {
    const ratios = perRound[mode]!.map((v, i) => v / perRound['single']![i]!).sort((a, b) => a - b);
    lines.push(`${mode} / single: median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}, range ${ratios[0]!.toFixed(2)}-${ratios.at(-1)!.toFixed(2)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:auth failed: ${(error as Error).message}\n`);
  process.exit(1);
});
