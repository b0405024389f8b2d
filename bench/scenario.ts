/**
 * The one scenario of `npm run bench`: what is loaded, as whom, and for how long.
 *
 * Contract: every server, every round and the command measurement send byte-identical
 * requests (same body, same headers, same token), so the only difference between the
 * two servers is their privacy mode.
 */
import { signDevToken } from '../src/dev/devKeys';
import type { Clearance, Purpose, Role } from '../src/policy/taxonomy';

/** The database name the bench imports into and both servers read. */
export const BENCH_DB = 'bench';

/** The world: `generateWorld(BENCH_WORLD)`. */
export const BENCH_WORLD = { migrants: 2_000, seed: 1 } as const;

/** 100 migrants, about 20 fields each: identity, documents and special categories. */
export const BENCH_QUERY = `query Bench {
  migrants(first: 100) {
    edges {
      node {
        id holder { code } givenName familyName dateOfBirth sex placeOfBirth nationality
        legalStatus arrivalDate address { line1 city country } documents { type number expiresOn }
        religion ethnicOrigin victimStatus { status } health { vulnerabilities }
        criminalRecord { convictions { offence } }
      }
    }
  }
}`;

/** How many records the query must return for a response to count as valid. */
export const BENCH_PAGE_SIZE = 100;

/** The caller and treaty context: about half of the fields are withheld or minimised here. */
export const BENCH_CALLER = {
  party: 'ITA',
  clearance: 'ELEVATED' as Clearance,
  roles: ['CASEWORKER'] as Role[],
  agreementId: 'AGR-MED-TIP-2024',
  purpose: 'ANTI_TRAFFICKING' as Purpose,
} as const;

/** One HTTP request, ready for fetch or autocannon. */
export interface BenchRequest {
  readonly path: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The scenario's request, with a freshly signed development token (valid 8 hours). */
export async function benchRequest(): Promise<BenchRequest> {
  const token = await signDevToken({ party: BENCH_CALLER.party, clearance: BENCH_CALLER.clearance, roles: [...BENCH_CALLER.roles] });
  return {
    path: '/graphql',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-agreement-id': BENCH_CALLER.agreementId,
      'x-purpose': BENCH_CALLER.purpose,
    },
    body: JSON.stringify({ query: BENCH_QUERY, operationName: 'Bench', variables: {} }),
  };
}

export interface BenchSettings {
  /** Seconds of load per measured round (BENCH_SECONDS, default 8). */
  readonly seconds: number;
  /** Seconds of discarded load per server before the first round (BENCH_WARMUP_SECONDS, default 3). */
  readonly warmupSeconds: number;
  /** Measured rounds per server, alternating A and B (BENCH_ROUNDS, default 5). */
  readonly rounds: number;
  /** Concurrent connections of the load generator (BENCH_CONNECTIONS, default 16). */
  readonly connections: number;
}

/** The settings from the environment; throws naming the first bad variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  return {
    seconds: positiveInteger(env, 'BENCH_SECONDS', 8, 600),
    warmupSeconds: positiveInteger(env, 'BENCH_WARMUP_SECONDS', 3, 600),
    rounds: positiveInteger(env, 'BENCH_ROUNDS', 5, 100),
    connections: positiveInteger(env, 'BENCH_CONNECTIONS', 16, 1_000),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) throw new Error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return value;
}
