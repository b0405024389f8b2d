/**
 * `npm run token -- --party ITA [--clearance ELEVATED] [--roles CASEWORKER,DATA_CONTROLLER]
 * [--sub officer-1] [--agency ITA-POLICE] [--alg RS256|ES256] [--expires 8h]`
 * prints a token signed with the development key. Refused under NODE_ENV=production.
 */
import { parseArgs } from 'node:util';
import { CLEARANCES, ROLES, isOneOf, type Role } from '../policy/taxonomy';
import { signDevToken } from '../context/devKeys';

const USAGE =
  'usage: npm run token -- --party CODE [--clearance STANDARD|ELEVATED|SPECIAL] [--roles ROLE,ROLE] ' +
  '[--sub ID] [--agency ID] [--alg RS256|ES256] [--expires 8h]';

async function main(): Promise<number> {
  if (process.env['NODE_ENV'] === 'production') {
    process.stderr.write('npm run token signs with the development key, which is never used in production.\n');
    return 2;
  }
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: {
        party: { type: 'string' },
        clearance: { type: 'string' },
        roles: { type: 'string', multiple: true },
        sub: { type: 'string' },
        agency: { type: 'string' },
        alg: { type: 'string' },
        expires: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const problems: string[] = [];
  const party = values['party'] as string | undefined;
  if (!party || !/^[A-Z0-9]{2,10}$/.test(party)) problems.push('--party must be a party code of 2-10 capital letters or digits, e.g. ITA');
  const clearance = (values['clearance'] as string | undefined) ?? 'STANDARD';
  if (!isOneOf(CLEARANCES, clearance)) problems.push(`--clearance must be one of ${CLEARANCES.join(', ')}`);
  const roles = ((values['roles'] as string[] | undefined) ?? ['CASEWORKER']).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const badRoles = roles.filter((r) => !isOneOf(ROLES, r));
  if (badRoles.length > 0) problems.push(`--roles: unknown role(s) ${badRoles.join(', ')}; roles are ${ROLES.join(', ')}`);
  const alg = (values['alg'] as string | undefined) ?? 'RS256';
  if (alg !== 'RS256' && alg !== 'ES256') problems.push('--alg must be RS256 or ES256');
  const expires = (values['expires'] as string | undefined) ?? '8h';
  if (!/^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/.test(expires)) {
    problems.push('--expires must be a time span such as 30m, 8h or 2d');
  }
  if (problems.length > 0 || !party || !isOneOf(CLEARANCES, clearance)) {
    process.stderr.write(`${problems.join('\n')}\n${USAGE}\n`);
    return 2;
  }
  const token = await signDevToken(
    {
      party,
      clearance,
      roles: roles as Role[],
      ...(values['sub'] ? { sub: values['sub'] as string } : {}),
      ...(values['agency'] ? { agency: values['agency'] as string } : {}),
    },
    { alg: alg as 'RS256' | 'ES256', expiresIn: expires },
  );
  process.stdout.write(`${token}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`token failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
