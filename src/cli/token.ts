/**
 * `npm run token -- --party ITA [--clearance ELEVATED] [--roles CASEWORKER,DATA_CONTROLLER]
 * [--sub officer-1] [--agency ITA-POLICE] [--alg RS256|ES256] [--expires 8h]`
 * (contract section 6): prints a token signed with the development key, and nothing
 * else, on one line of stdout. `--roles` takes a comma-separated list and may be
 * repeated. Every argument is validated (exit 2, reasons on stderr); refused under
 * NODE_ENV=production (exit 2), since development keys are public knowledge.
 */
import { parseArgs } from 'node:util';
import { MAX_CLAIM_ID_LENGTH, PARTY_CODE_PATTERN, type JwtAlgorithm } from '../context/authenticate';
import { signDevToken, type DevClaims } from '../context/devKeys';
import { CLEARANCES, ROLES, isOneOf, type Role } from '../policy/taxonomy';

export const TOKEN_USAGE =
  'usage: npm run token -- --party CODE [--clearance STANDARD|ELEVATED|SPECIAL] [--roles ROLE,ROLE]... ' +
  '[--sub ID] [--agency ID] [--alg RS256|ES256] [--expires 8h]';

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
  output.out(`${await signDevToken(parsed.claims, { alg: parsed.alg, expiresIn: parsed.expires })}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

type TokenArgs = { claims: DevClaims; alg: JwtAlgorithm; expires: string } | { problems: string[] } | { help: true };

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
  if (problems.length > 0 || !isOneOf(CLEARANCES, clearance) || (alg !== 'RS256' && alg !== 'ES256')) return { problems };
  const claims: DevClaims = { party, clearance, roles };
  if (values.sub !== undefined) claims.sub = values.sub;
  if (values.agency !== undefined) claims.agency = values.agency;
  return { claims, alg, expires };
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
