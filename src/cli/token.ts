/**
 * `npm run token -- --party ITA [--clearance ELEVATED] [--roles CASEWORKER,DATA_CONTROLLER]
 * [--sub officer-1] [--agency ITA-POLICE] [--alg RS256|ES256] [--expires 8h]
 * [--issuer shared|party] [--dpop-key FILE]` (contract section 6): prints a token signed
 * with the development key, and nothing else, on one line of stdout. `--roles` takes a
 * comma-separated list and may be repeated.
 *
 * - `--issuer party` mints from the party's own development identity provider
 *   (`treatygate-dev-<party>`, registered for it in a development database); the default
 *   `shared` is the development issuer that speaks for any party.
 * - `--dpop-key FILE` binds the token to a proof-of-possession key (DPoP, RFC 9449): the
 *   key is read from FILE (a private JWK), or made and written there (mode 0600) when
 *   FILE does not exist. Each request then needs a fresh proof:
 *   `npm run token -- --proof --dpop-key FILE --token TOKEN --htu URL [--htm POST]`
 *   prints one.
 *
 * Every argument is validated (exit 2, reasons on stderr); refused under
 * NODE_ENV=production (exit 2), since development keys are public knowledge.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { MAX_CLAIM_ID_LENGTH, PARTY_CODE_PATTERN, type JwtAlgorithm } from '../context/authenticate';
import { devIssuerOf, signDevToken, type DevClaims } from '../dev/devKeys';
import { CLEARANCES, ROLES, isOneOf, type Role } from '../policy/taxonomy';

export const TOKEN_USAGE =
  'usage: npm run token -- --party CODE [--clearance STANDARD|ELEVATED|SPECIAL] [--roles ROLE,ROLE]... ' +
  '[--sub ID] [--agency ID] [--alg RS256|ES256] [--expires 8h] [--issuer shared|party] [--dpop-key FILE]\n' +
  '       npm run token -- --proof --dpop-key FILE --token TOKEN --htu URL [--htm POST]';

/** Where the command writes: stdout gets the token only, stderr everything else. */
export interface TokenCommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs the command on `args` (the words after `npm run token --`); resolves to the exit code. */
export async function runTokenCommand(args: readonly string[], output: TokenCommandOutput): Promise<number> {
  if (process.env['NODE_ENV'] === 'production') {
    output.err('npm run token signs with the development key, which is never used in production (NODE_ENV=production).\n');
    return 2;
  }
  const parsed = parseTokenArgs(args);
  if ('help' in parsed) {
    output.out(`${TOKEN_USAGE}\n`);
    return 0;
  }
  if ('problems' in parsed) {
    output.err(`${parsed.problems.join('\n')}\n${TOKEN_USAGE}\n`);
    return 2;
  }
  if ('proof' in parsed) {
    const key = readProofKey(parsed.keyFile);
    if (!key) {
      output.err(`--dpop-key ${parsed.keyFile}: no proof key there (mint a bound token with --dpop-key first)\n`);
      return 2;
    }
    output.out(`${await dpopProof(key, parsed.token, parsed.htm, parsed.htu)}\n`);
    return 0;
  }
  let jkt: string | undefined;
  if (parsed.keyFile !== null) {
    let key = readProofKey(parsed.keyFile);
    if (!key) {
      key = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
      writeFileSync(parsed.keyFile, `${JSON.stringify(key)}\n`, { mode: 0o600 });
      output.err(`wrote a new DPoP proof key to ${parsed.keyFile}\n`);
    }
    const { d: _private, ...publicJwk } = key;
    jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  }
  const issuer = parsed.issuer === 'party' ? devIssuerOf(parsed.claims.party) : undefined;
  output.out(`${await signDevToken(parsed.claims, { alg: parsed.alg, expiresIn: parsed.expires, ...(issuer ? { issuer } : {}), ...(jkt ? { jkt } : {}) })}\n`);
  return 0;
}

/** A proof-of-possession key file: a private EC JWK; null when the file does not exist. */
function readProofKey(file: string): JWK | null {
  if (!existsSync(file)) return null;
  const key = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  if (key.kty !== 'EC' || key.crv !== 'P-256' || typeof key.d !== 'string') throw new Error(`${file} is not a P-256 private JWK`);
  return key;
}

/** A DPoP proof (RFC 9449) for one request with `token`, signed by `key`. */
export async function dpopProof(key: JWK, token: string, htm: string, htu: string): Promise<string> {
  const { d: _private, ...publicJwk } = key;
  return new SignJWT({ htm, htu, jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
    .setIssuedAt()
    .sign(await importJWK(key, 'ES256'));
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

type TokenArgs =
  | { claims: DevClaims & { party: string }; alg: JwtAlgorithm; expires: string; issuer: 'shared' | 'party'; keyFile: string | null }
  | { proof: true; keyFile: string; token: string; htu: string; htm: string }
  | { problems: string[] }
  | { help: true };

/** A positive jose time span: a whole number and a unit (s, m, h, d, w and their spellings). */
const TIME_SPAN = /^[1-9]\d{0,5} ?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/;

/** Parses and validates every argument, collecting all problems rather than the first. */
function parseTokenArgs(args: readonly string[]): TokenArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: args.filter((arg) => arg !== '--'),
      options: {
        party: { type: 'string' },
        clearance: { type: 'string' },
        roles: { type: 'string', multiple: true },
        sub: { type: 'string' },
        agency: { type: 'string' },
        alg: { type: 'string' },
        expires: { type: 'string' },
        issuer: { type: 'string' },
        'dpop-key': { type: 'string' },
        proof: { type: 'boolean' },
        token: { type: 'string' },
        htu: { type: 'string' },
        htm: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
  if (values.help) return { help: true };
  const problems: string[] = [];
  if (values.proof) {
    const keyFile = values['dpop-key'];
    if (!keyFile) problems.push('--proof needs --dpop-key FILE');
    if (!values.token) problems.push('--proof needs --token TOKEN (the token the proof goes with)');
    let htu = '';
    try {
      const url = new URL(values.htu ?? '');
      htu = `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      problems.push('--proof needs --htu URL (the full URL of the request, e.g. http://127.0.0.1:4000/graphql)');
    }
    const htm = values.htm ?? 'POST';
    if (!/^[A-Z]{3,7}$/.test(htm)) problems.push('--htm must be an HTTP method such as POST or GET');
    if (problems.length > 0 || !keyFile || !values.token) return { problems };
    return { proof: true, keyFile, token: values.token, htu, htm };
  }
  for (const name of ['token', 'htu', 'htm'] as const) if (values[name] !== undefined) problems.push(`--${name} goes with --proof`);
  const issuer = values.issuer ?? 'shared';
  if (issuer !== 'shared' && issuer !== 'party') problems.push('--issuer must be shared (the development issuer, any party) or party (the party\'s own development identity provider)');
  const party = values.party ?? '';
  if (!PARTY_CODE_PATTERN.test(party)) problems.push('--party is required: a party code of 2-10 capital letters or digits, e.g. ITA');
  const clearance = values.clearance ?? 'STANDARD';
  if (!isOneOf(CLEARANCES, clearance)) problems.push(`--clearance must be one of ${CLEARANCES.join(', ')}`);
  const roles = rolesOf(values.roles, problems);
  for (const name of ['sub', 'agency'] as const) {
    const value = values[name];
    if (value !== undefined && (value.length === 0 || value.length > MAX_CLAIM_ID_LENGTH)) problems.push(`--${name} must be 1-${MAX_CLAIM_ID_LENGTH} characters`);
  }
  const alg = values.alg ?? 'RS256';
  if (alg !== 'RS256' && alg !== 'ES256') problems.push('--alg must be RS256 or ES256');
  const expires = values.expires ?? '8h';
  if (!TIME_SPAN.test(expires)) problems.push('--expires must be a time span such as 30m, 8h or 2d');
  if (problems.length > 0 || !isOneOf(CLEARANCES, clearance) || (alg !== 'RS256' && alg !== 'ES256') || (issuer !== 'shared' && issuer !== 'party')) return { problems };
  const claims: DevClaims & { party: string } = { party, clearance, roles };
  if (values.sub !== undefined) claims.sub = values.sub;
  if (values.agency !== undefined) claims.agency = values.agency;
  return { claims, alg, expires, issuer, keyFile: values['dpop-key'] ?? null };
}

/** `--roles` values, each a comma-separated list; default [CASEWORKER]; `--roles ''` gives none. */
function rolesOf(values: readonly string[] | undefined, problems: string[]): Role[] {
  if (values === undefined) return ['CASEWORKER'];
  const names = values.flatMap((value) => value.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !isOneOf(ROLES, name));
  if (unknown.length > 0) problems.push(`--roles: unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  return [...new Set(names.filter((name): name is Role => isOneOf(ROLES, name)))];
}

if (require.main === module) {
  runTokenCommand(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`token failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
