/**
 * Small helpers for the integration tests on the shared fixture: treaty contexts by
 * name, cached development tokens, one-call GraphQL with the context's headers, and a
 * compact, order-free view of `extensions.privacy`.
 */
import { signDevToken } from '../../src/dev/devKeys';
import type { SchemaTier } from './schemaTier';
import { graphql, type GraphqlReply, type TestGateway } from './testGateway';

export type Clearance = 'STANDARD' | 'ELEVATED' | 'SPECIAL';

/** A treaty context as a caller presents it. */
export interface Ctx {
  party: string;
  clearance?: Clearance;
  agreementId?: string;
  purpose?: string;
  dataRequestId?: string;
}

export const MED = 'AGR-MED-TIP-2024';
export const READMISSION = 'AGR-ITA-NGA-READMISSION-2023';
export const AEGEAN = 'AGR-AEGEAN-BORDER-2019';
export const FAMILY = 'AGR-ESP-IOM-FAMILY-2020';

const tokens = new Map<string, Promise<string>>();

/** A development token for `party` at `clearance` (cached per pair). */
export function tokenFor(party: string, clearance: Clearance = 'STANDARD'): Promise<string> {
  const key = `${party}/${clearance}`;
  let token = tokens.get(key);
  if (!token) tokens.set(key, (token = signDevToken({ party, clearance, roles: ['CASEWORKER'] })));
  return token;
}

/** Where an operation runs: a gateway over HTTP, or the schema tier (no HTTP, test/support/schemaTier.ts). */
export type Target = TestGateway | SchemaTier;

/** Runs `query` in `ctx` against `gw`: with a development token over HTTP, or as the caller that token verifies to in the schema tier. */
export async function run(gw: Target, ctx: Ctx, query: string, variables?: Record<string, unknown>): Promise<GraphqlReply> {
  if ('execute' in gw) {
    return gw.execute({
      caller: { party: ctx.party, clearance: ctx.clearance ?? 'STANDARD', roles: ['CASEWORKER'] },
      query,
      ...(variables ? { variables } : {}),
      ...(ctx.agreementId ? { agreementId: ctx.agreementId } : {}),
      ...(ctx.purpose ? { purpose: ctx.purpose } : {}),
      ...(ctx.dataRequestId ? { dataRequestId: ctx.dataRequestId } : {}),
    });
  }
  return graphql(gw.url, {
    query,
    ...(variables ? { variables } : {}),
    token: await tokenFor(ctx.party, ctx.clearance),
    ...(ctx.agreementId ? { agreementId: ctx.agreementId } : {}),
    ...(ctx.purpose ? { purpose: ctx.purpose } : {}),
    ...(ctx.dataRequestId ? { dataRequestId: ctx.dataRequestId } : {}),
  });
}

/** The data of a reply that must have succeeded (fails the test with the errors otherwise). */
export function dataOf(reply: GraphqlReply): Record<string, unknown> {
  expect(reply.body.errors ?? []).toEqual([]);
  expect(reply.body.data).toBeTruthy();
  return reply.body.data!;
}

/** The error codes of a reply. */
export function codesOf(reply: GraphqlReply): (string | undefined)[] {
  return (reply.body.errors ?? []).map((e) => e.extensions?.code);
}

export interface ReportEntry {
  coordinate: string;
  action: string;
  reason?: string;
  strategy?: string;
  count: number;
}

export interface PrivacyReport {
  agreement: string;
  purpose: string;
  fields: ReportEntry[];
}

export function privacyOf(reply: GraphqlReply): PrivacyReport {
  const privacy = reply.body.extensions?.['privacy'] as PrivacyReport | undefined;
  expect(privacy).toBeDefined();
  return privacy!;
}

/**
 * `extensions.privacy.fields` as `{ coordinate: "ACTION[ REASON|STRATEGY] xCOUNT" }`,
 * outcomes of one coordinate joined with " + " in sorted order. Fails when one
 * coordinate/outcome is reported twice (the report must aggregate).
 */
export function reportMap(reply: GraphqlReply, onlyPrefix?: string): Record<string, string> {
  const fields = privacyOf(reply).fields;
  const seen = new Set<string>();
  const byCoordinate = new Map<string, string[]>();
  for (const entry of fields) {
    if (onlyPrefix && !entry.coordinate.startsWith(onlyPrefix)) continue;
    const outcome = [entry.action, entry.reason ?? entry.strategy].filter(Boolean).join(' ');
    const key = `${entry.coordinate}|${outcome}`;
    expect(seen.has(key) ? `duplicate report entry ${key}` : key).toBe(key);
    seen.add(key);
    const list = byCoordinate.get(entry.coordinate) ?? [];
    list.push(`${outcome} x${entry.count}`);
    byCoordinate.set(entry.coordinate, list);
  }
  return Object.fromEntries([...byCoordinate].map(([coordinate, list]) => [coordinate, list.sort().join(' + ')]));
}

/** Every field of `Migrant` and its nested types (contract section 4). */
export const ALL_FIELDS = /* GraphQL */ `
  fragment All on Migrant {
    id
    holder { code }
    givenName
    familyName
    dateOfBirth
    sex
    placeOfBirth
    nationality
    address { line1 city region postalCode country }
    documents { type number issuingCountry expiresOn }
    legalStatus
    arrivalDate
    family { id givenName }
    biometrics { fingerprintTemplate faceTemplate }
    health { conditions vulnerabilities }
    ethnicOrigin
    religion
    criminalRecord { convictions { offence year country } }
    victimStatus { status identifiedOn exploitationType }
    requests { id status }
  }
`;

export type Node = Record<string, unknown>;
export interface Page {
  totalCount: number;
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `migrants` with `filter`, all on one page (first: 100). */
export async function page(gw: Target, ctx: Ctx, selection: string, filter?: Record<string, unknown>): Promise<{ reply: GraphqlReply; page: Page }> {
  const reply = await run(
    gw,
    ctx,
    `query($filter: MigrantFilter) { migrants(filter: $filter, first: 100) { totalCount edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`,
    { filter: filter ?? null },
  );
  const data = dataOf(reply);
  return { reply, page: data['migrants'] as Page };
}

/**
 * The pseudonym, under `ctx`'s agreement, of the one record with this family and given
 * name (`ctx` must see names in full).
 */
export async function pseudonymOf(gw: Target, ctx: Ctx, familyName: string, givenName: string): Promise<string> {
  const { page: found } = await page(gw, ctx, 'id givenName', { familyName });
  const matches = found.edges.filter((e) => e.node['givenName'] === givenName);
  expect(matches.map((e) => e.node['givenName'])).toEqual([givenName]);
  return matches[0]!.node['id'] as string;
}

/** "Given Family" of each node, sorted. */
export function namesOf(found: Page): string[] {
  return found.edges.map((e) => `${String(e.node['givenName'])} ${String(e.node['familyName'])}`).sort();
}
