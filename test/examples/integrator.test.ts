/**
 * The typed client of examples/ (codegen.yml's client target) against a real gateway on
 * the shared fixture: the generated documents run and return what their types say, the
 * privacy report is summarised and explains every null, refusals surface by code, and
 * the persisted-documents manifest is in the contract's format (section 8) and is what
 * the client sends.
 *
 * Expected values come from the fixture and the contract (sections 3 to 5), as in
 * test/schema/fixture.test.ts, at the same clock (2025-06-01).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { ERROR_CODES as CONTRACT_ERROR_CODES } from '../../src/context/errors';
import { signDevToken } from '../../src/dev/devKeys';
import { startTestGateway, type TestGateway } from '../support/testGateway';
import * as generated from '../../examples/generated/graphql';
import type {
  DataRequestsQuery,
  EntitlementsQuery,
  MeQuery,
  MigrantByIdQuery,
  MigrantsPageQuery,
  StatisticsQuery,
  SubmitDataRequestMutation,
} from '../../examples/generated/graphql';
import manifest from '../../examples/generated/persisted-documents.json';
import {
  ERROR_CODES,
  GatewayUnreachableError,
  TreatygateError,
  adviceFor,
  describeNull,
  execute,
  explainNull,
  main,
  summarisePrivacy,
  type CallContext,
  type ErrorCode,
} from '../../examples/integrator';

const JUNE_2025 = new Date('2025-06-01T12:00:00Z');
const MED = 'AGR-MED-TIP-2024';
const READMISSION = 'AGR-ITA-NGA-READMISSION-2023';
const OPERATIONS_DIR = join(__dirname, '..', '..', 'examples', 'operations');

let tg: TestGateway;
let url: string;
let ita: string;
let nga: string;
/** IOM, statistics analyst: the Mediterranean protocol's STATISTICS grant is aggregate-only. */
let iomAnalyst: string;
/** ITA, anti-trafficking caseworker with SPECIAL clearance (victim status) under the Mediterranean protocol. */
let at: CallContext;
/** NGA, law enforcement under the readmission MoU (REQUESTED_ONLY, IDENTITY minimised). */
let le: CallContext;

beforeAll(async () => {
  tg = await startTestGateway({
    dbName: 'examples-integrator',
    fixture: true,
    clock: () => JUNE_2025,
    env: { RATE_LIMIT_PER_MINUTE: '0', BODY_LIMIT: '4kb' },
  });
  url = `${tg.url}/graphql`;
  ita = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
  nga = await signDevToken({ party: 'NGA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
  iomAnalyst = await signDevToken({ party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] });
  const itaSpecial = await signDevToken({ party: 'ITA', clearance: 'SPECIAL', roles: ['CASEWORKER'] });
  at = { url, token: itaSpecial, agreementId: MED, purpose: 'ANTI_TRAFFICKING' };
  le = { url, token: nga, agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' };
});
afterAll(async () => {
  await tg?.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const operationOf = (document: DocumentNode) =>
  document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

/** Every `*Document` export of the generated client, by operation name. */
function generatedDocuments(): Map<string, DocumentNode & { __meta__?: { hash?: string } }> {
  const documents = new Map<string, DocumentNode & { __meta__?: { hash?: string } }>();
  for (const [name, value] of Object.entries(generated)) {
    if (!name.endsWith('Document')) continue;
    const document = value as DocumentNode & { __meta__?: { hash?: string } };
    documents.set(operationOf(document)!.name!.value, document);
  }
  return documents;
}

describe('the generated client and its persisted-documents manifest', () => {
  const entries = Object.entries(manifest as Record<string, string>);

  it('keys every document by the sha256 hex of its exact text (contract section 8)', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const [hash, text] of entries) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(sha256(text)).toBe(hash);
    }
  });

  it('holds every operation of examples/operations, and each generated document carries its hash', () => {
    const fromFiles = readdirSync(OPERATIONS_DIR)
      .filter((file) => file.endsWith('.graphql'))
      .flatMap((file) => parse(readFileSync(join(OPERATIONS_DIR, file), 'utf8')).definitions)
      .map((d) => (d as OperationDefinitionNode).name!.value)
      .sort();
    const inManifest = entries.map(([, text]) => operationOf(parse(text))!.name!.value).sort();
    expect(inManifest).toEqual(fromFiles);
    expect(fromFiles).toEqual(expect.arrayContaining(['Me', 'Entitlements', 'MigrantsPage', 'MigrantById', 'DataRequests', 'SubmitDataRequest', 'Statistics']));

    const documents = generatedDocuments();
    expect([...documents.keys()].sort()).toEqual(fromFiles);
    for (const [name, document] of documents) {
      const hash = document.__meta__?.hash;
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const text = (manifest as Record<string, string>)[hash!];
      expect(text).toBeDefined();
      expect(operationOf(parse(text!))!.name!.value).toBe(name);
    }
  });
});

describe('typed documents against the gateway', () => {
  it('Me: the caller from the token, no privacy report', async () => {
    const result = await execute(generated.MeDocument, {}, { url, token: ita });
    const me: MeQuery['me'] = result.data.me;
    expect(me).toEqual({ sub: 'officer-ita-1', agency: 'ITA-AGENCY', party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
    expect(result.errors).toEqual([]);
    expect(result.privacy).toBeNull();
    expect(summarisePrivacy(result.privacy)).toBe('Privacy: no personal data was read.');
  });

  it('Entitlements: what anti-trafficking may see under the Mediterranean protocol', async () => {
    const { data } = await execute(generated.EntitlementsDocument, {}, at);
    const ent: EntitlementsQuery['entitlements'] = data.entitlements;
    expect(ent).toMatchObject({ agreementId: MED, purpose: 'ANTI_TRAFFICKING', subjectScope: 'ALL_HELD_BY_PARTIES', clearance: 'SPECIAL', dataRequestId: null });
    const field = (coordinate: string) => ent.fields.find((f) => f.coordinate === coordinate);
    expect(field('Migrant.givenName')).toEqual({ coordinate: 'Migrant.givenName', action: 'DISCLOSED', reason: null, strategy: null, condition: null });
    expect(field('Migrant.religion')).toMatchObject({ action: 'REDACTED', reason: 'SPECIAL_CATEGORY_NOT_COVERED' });
    expect(field('Address.city')).toMatchObject({ action: 'REDACTED', reason: 'MINIMISATION_UNAVAILABLE' });
    expect(field('TravelDocument.number')).toMatchObject({ action: 'MINIMISED', strategy: 'LAST_FOUR' });
    expect(field('Migrant.health')).toMatchObject({ condition: 'SUBJECT_CONSENT' });
    expect(ent.filters).toContainEqual({ argument: 'familyName', permitted: true });
    expect(ent).toMatchObject({ recordAccess: true, recordAccessReason: null });
  });

  it('Entitlements: an aggregate-only grant (statistics) says records are not granted, and why', async () => {
    const { data } = await execute(generated.EntitlementsDocument, {}, { url, token: iomAnalyst, agreementId: MED, purpose: 'STATISTICS' });
    expect(data.entitlements.recordAccess).toBe(false);
    expect(data.entitlements.recordAccessReason).toMatch(/aggregate-only/);
  });

  it('MigrantsPage: masked and minimised fields, listed in the privacy summary; each null explained', async () => {
    const result = await execute(generated.MigrantsPageDocument, { filter: { familyName: 'Okafor' }, first: 10 }, at);
    const page: MigrantsPageQuery['migrants'] = result.data.migrants;
    expect(page.totalCount).toBe(2);
    expect(page.pageInfo).toEqual({ hasNextPage: false, endCursor: page.edges[1]!.cursor });
    const byName = new Map(page.edges.map((e) => [e.node.givenName, e.node]));
    // Amara: CONTACT_LOCATION and TRAVEL_DOCUMENT are MINIMISED; RELIGION is not listed;
    // HEALTH is, but she has no anti-trafficking consent.
    expect(byName.get('Amara')).toEqual({
      id: expect.stringMatching(/^p_/),
      holder: { code: 'ITA' },
      givenName: 'Amara',
      familyName: 'Okafor',
      dateOfBirth: '1994-07-12',
      sex: 'F',
      nationality: 'NGA',
      legalStatus: 'ASYLUM_SEEKER',
      arrivalDate: '2024-11-03',
      address: { city: null, country: 'ITA' },
      documents: [{ type: 'PASSPORT', number: '****5678', issuingCountry: 'NGA', expiresOn: '2029-01' }],
      health: null,
      religion: null,
      victimStatus: { status: 'IDENTIFIED_VICTIM', identifiedOn: '2024-11-20', exploitationType: 'SEXUAL' },
    });
    // Chidi has no victim status on record: disclosed, and null.
    expect(byName.get('Chidi')).toMatchObject({ documents: [], victimStatus: null, religion: null, health: null });

    const privacy = result.privacy!;
    expect(privacy).toMatchObject({ agreement: MED, purpose: 'ANTI_TRAFFICKING', auditId: expect.any(String) });
    expect(explainNull(privacy, 'Migrant.religion')).toEqual({ kind: 'WITHHELD', reasons: ['SPECIAL_CATEGORY_NOT_COVERED'] });
    expect(explainNull(privacy, 'Migrant.health')).toEqual({ kind: 'WITHHELD', reasons: ['CONSENT_MISSING'] });
    expect(explainNull(privacy, 'Address.city')).toEqual({ kind: 'WITHHELD', reasons: ['MINIMISATION_UNAVAILABLE'] });
    expect(explainNull(privacy, 'Migrant.victimStatus')).toEqual({ kind: 'ABSENT' });
    expect(describeNull(explainNull(privacy, 'Migrant.religion'))).toBe('withheld (SPECIAL_CATEGORY_NOT_COVERED)');
    expect(describeNull(explainNull(privacy, 'Migrant.victimStatus'))).toBe('no value on record');

    const summary = summarisePrivacy(privacy);
    expect(summary).toContain(`Privacy: agreement ${MED}, purpose ANTI_TRAFFICKING, audit id ${privacy.auditId}`);
    expect(summary).toMatch(/withheld \(null in the data\):\n/);
    expect(summary).toMatch(/^ {4}Migrant\.religion +SPECIAL_CATEGORY_NOT_COVERED +x2$/m);
    expect(summary).toMatch(/^ {4}Migrant\.health +CONSENT_MISSING +x2$/m);
    expect(summary).toMatch(/^ {4}Address\.city +MINIMISATION_UNAVAILABLE +x2$/m);
    expect(summary).toMatch(/minimised \(reduced precision\):\n/);
    expect(summary).toMatch(/^ {4}TravelDocument\.number +LAST_FOUR +x1$/m);
    expect(summary).toMatch(/^ {4}TravelDocument\.expiresOn +YEAR_MONTH +x1$/m);
    expect(summary).toMatch(/^ {2}disclosed in full: \d+ field\(s\), \d+ value\(s\)$/m);
  });

  it('MigrantsPage: a null that depends on the record (consent) is explained as either', async () => {
    const result = await execute(generated.MigrantsPageDocument, { first: 20 }, at);
    // Of the 11 records in scope only m-0004 (Fatima Diallo) has an anti-trafficking consent.
    const fatima = result.data.migrants.edges.find((e) => e.node.givenName === 'Fatima')!.node;
    expect(fatima.health).toEqual({ conditions: ['PTSD'], vulnerabilities: ['SURVIVOR_OF_VIOLENCE'] });
    const health = explainNull(result.privacy, 'Migrant.health');
    expect(health).toEqual({ kind: 'WITHHELD_OR_ABSENT', reasons: ['CONSENT_MISSING'], withheld: 10, disclosed: 1 });
    expect(describeNull(health)).toBe('withheld for 10 value(s) (CONSENT_MISSING) and disclosed for 1: this null may be either');
  });

  it('MigrantsPage under a minimised identity grant: initials and year-only dates; a data request widens them', async () => {
    const result = await execute(generated.MigrantsPageDocument, { first: 10 }, le);
    // REQUESTED_ONLY: m-0003 (Emeka Nwosu), subject of NGA's approved req-0001.
    expect(result.data.migrants.totalCount).toBe(1);
    const node = result.data.migrants.edges[0]!.node;
    expect(node).toMatchObject({ givenName: 'E.', familyName: 'N.', dateOfBirth: '1988', nationality: 'NGA' });
    expect(node.documents).toEqual([{ type: 'PASSPORT', number: 'B98765432', issuingCountry: 'NGA', expiresOn: '2026-04-30' }]);
    const summary = summarisePrivacy(result.privacy);
    expect(summary).toMatch(/^ {4}Migrant\.givenName +INITIAL +x1$/m);
    expect(summary).toMatch(/^ {4}Migrant\.dateOfBirth +YEAR +x1$/m);
    expect(summary).toMatch(/^ {4}Migrant\.victimStatus +PURPOSE_NOT_ALLOWED_FOR_FIELD +x1$/m);

    const widened = await execute(generated.MigrantsPageDocument, { first: 10 }, { ...le, dataRequestId: 'req-0001' });
    expect(widened.data.migrants.edges[0]!.node).toMatchObject({ id: node.id, givenName: 'Emeka', familyName: 'Nwosu', dateOfBirth: '1988-10-30' });
  });

  it('MigrantById: a case file with family; withheld objects explained; unknown ids are null', async () => {
    const page = await execute(generated.MigrantsPageDocument, { filter: { familyName: 'Okafor' } }, at);
    const amara = page.data.migrants.edges.find((e) => e.node.givenName === 'Amara')!.node;
    const chidi = page.data.migrants.edges.find((e) => e.node.givenName === 'Chidi')!.node;
    const result = await execute(generated.MigrantByIdDocument, { id: amara.id }, at);
    const migrant: MigrantByIdQuery['migrant'] = result.data.migrant;
    expect(migrant).toMatchObject({
      id: amara.id,
      holder: { code: 'ITA', name: expect.any(String) },
      placeOfBirth: 'Benin City',
      address: { line1: null, city: null, region: null, postalCode: null, country: 'ITA' },
      family: [{ id: chidi.id, givenName: 'Chidi', familyName: 'Okafor' }],
      biometrics: null,
      ethnicOrigin: null,
      criminalRecord: null,
      requests: null,
    });
    expect(explainNull(result.privacy, 'Migrant.requests')).toEqual({ kind: 'WITHHELD', reasons: ['CATEGORY_NOT_GRANTED'] });
    expect(explainNull(result.privacy, 'Migrant.biometrics')).toEqual({ kind: 'WITHHELD', reasons: ['SPECIAL_CATEGORY_NOT_COVERED'] });

    const unknown = await execute(generated.MigrantByIdDocument, { id: 'p_unknown' }, at);
    expect(unknown.data).toEqual({ migrant: null });
  });

  it('SubmitDataRequest and DataRequests: a request for wider access, then listed as PENDING', async () => {
    const page = await execute(generated.MigrantsPageDocument, {}, le);
    const subject = page.data.migrants.edges[0]!.node.id;
    const submitted = await execute(
      generated.SubmitDataRequestDocument,
      {
        input: {
          agreementId: READMISSION,
          requestedParty: 'ITA',
          purpose: 'LAW_ENFORCEMENT',
          subjectIds: [subject],
          categories: ['IDENTITY'],
          justification: 'Example integrator: identity check in case NG-EFCC-2025-118',
          validDays: 30,
        },
      },
      le,
    );
    const request: SubmitDataRequestMutation['submitDataRequest'] = submitted.data.submitDataRequest;
    expect(request).toMatchObject({
      status: 'PENDING',
      purpose: 'LAW_ENFORCEMENT',
      categories: ['IDENTITY'],
      requestingParty: { code: 'NGA' },
      requestedParty: { code: 'ITA' },
      subjects: [{ id: subject }],
      validUntil: null,
    });

    const listed = await execute(generated.DataRequestsDocument, { direction: 'OUTGOING', status: 'PENDING' }, le);
    const requests: DataRequestsQuery['dataRequests'] = listed.data.dataRequests;
    expect(requests.map((r) => r.id)).toContain(request.id);
    expect(requests.every((r) => r.status === 'PENDING')).toBe(true);
  });
});

describe('statistics', () => {
  it('Statistics: counts with disclosure control; suppressed cells and totals are nulls the report explains', async () => {
    const iom = await signDevToken({ party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] });
    const context: CallContext = { url, token: iom, agreementId: MED, purpose: 'STATISTICS' };
    const result = await execute(generated.StatisticsDocument, { groupBy: ['NATIONALITY'] }, context);
    const table: StatisticsQuery['statistics'] = result.data.statistics;
    // The 11 records in scope; the contract's rules, not the suppression pattern, are checked.
    expect(table).toMatchObject({ groupBy: ['NATIONALITY'], total: 11, minCellSize: 3 });
    expect(table.cells.length).toBeGreaterThan(1);
    for (const cell of table.cells) {
      expect(cell.key).toHaveLength(1);
      expect(cell.count === null).toBe(cell.suppressed);
      if (cell.count !== null) expect(cell.count).toBeGreaterThanOrEqual(3);
    }
    expect(table.suppressedCells).toBe(table.cells.filter((c) => c.suppressed).length);
    const summary = summarisePrivacy(result.privacy);
    expect(summary).toMatch(new RegExp(`^ {4}Migrant\\.nationality +AGGREGATED +x${table.cells.length}$`, 'm'));
    expect(summary).toMatch(/^ {4}Query\.statistics +BELOW_MIN_CELL_SIZE +x\d+$/m);
    expect(summary).not.toContain('disclosed in full');

    // One GIN national in scope (m-0004): the slice's total is below minCellSize.
    const slice = await execute(generated.StatisticsDocument, { groupBy: ['HOLDER'], filter: { nationality: 'GIN' } }, context);
    expect(slice.data.statistics.total).toBeNull();
    expect(explainNull(slice.privacy, 'Statistics.total')).toEqual({ kind: 'WITHHELD', reasons: ['BELOW_MIN_CELL_SIZE'] });
  });

  it('Statistics: a dimension whose category the grant lacks is refused with FILTER_NOT_PERMITTED', async () => {
    // Law enforcement under the readmission MoU has no IMMIGRATION_STATUS (LEGAL_STATUS's category).
    const refusal = await execute(generated.StatisticsDocument, { groupBy: ['LEGAL_STATUS'] }, le).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TreatygateError);
    expect((refusal as TreatygateError).code).toBe('FILTER_NOT_PERMITTED');
  });
});

describe('refusals surface by code', () => {
  it.each<[string, ErrorCode, number, () => CallContext]>([
    ['no token', 'UNAUTHENTICATED', 401, () => ({ url, agreementId: MED, purpose: 'ANTI_TRAFFICKING' })],
    ['no agreement', 'AGREEMENT_NOT_FOUND', 403, () => ({ url, token: ita })],
    ['no purpose', 'PURPOSE_MISSING', 403, () => ({ url, token: ita, agreementId: MED })],
    ['a suspended agreement', 'AGREEMENT_NOT_IN_FORCE', 403, () => ({ url, token: ita, agreementId: 'AGR-AEGEAN-BORDER-2019', purpose: 'BORDER_CONTROL' })],
    ['a purpose without a grant', 'PURPOSE_NOT_GRANTED', 403, () => ({ ...at, purpose: 'BORDER_CONTROL' })],
    ['a non-party', 'NOT_A_PARTY', 403, () => ({ url, token: ita, agreementId: 'AGR-ESP-IOM-FAMILY-2020', purpose: 'FAMILY_REUNIFICATION' })],
    ['a pending data request', 'DATA_REQUEST_INVALID', 403, () => ({ ...le, dataRequestId: 'req-0002' })],
    ['records under an aggregate-only grant', 'RECORD_ACCESS_NOT_GRANTED', 403, () => ({ url, token: iomAnalyst, agreementId: MED, purpose: 'STATISTICS' })],
  ])('%s: %s (HTTP %d)', async (_name, code, status, context) => {
    const refusal = await execute(generated.MigrantsPageDocument, { first: 1 }, context()).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TreatygateError);
    expect(refusal).toMatchObject({ code, status, retryAfterSeconds: null });
    expect((refusal as TreatygateError).errors.map((e) => e.code)).toEqual([code]);
    expect((refusal as TreatygateError).message).toMatch(new RegExp(`^${code} \\(HTTP ${status}\\): `));
  });

  it('a filter on a minimised field: FILTER_NOT_PERMITTED', async () => {
    const refusal = await execute(generated.MigrantsPageDocument, { filter: { familyName: 'Nwosu' } }, le).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TreatygateError);
    expect((refusal as TreatygateError).code).toBe('FILTER_NOT_PERMITTED');
  });

  it('a body above BODY_LIMIT: HTTP 413, BAD_USER_INPUT', async () => {
    const refusal = await execute(generated.MigrantsPageDocument, { filter: { familyName: 'x'.repeat(5000) } }, at).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'BAD_USER_INPUT', status: 413 });
  });

  it('429 and 503 with Retry-After, and replies that are not GraphQL JSON, by HTTP status', async () => {
    const replies: [number, Record<string, string>, string][] = [
      [429, { 'content-type': 'application/json', 'retry-after': '7' }, JSON.stringify({ errors: [{ message: 'Too many requests.', extensions: { code: 'RATE_LIMITED' } }] })],
      [503, { 'content-type': 'text/html', 'retry-after': '30' }, '<html>Bad gateway</html>'],
    ];
    const stub: Server = createServer((_req, res) => {
      const [status, headers, body] = replies.shift()!;
      res.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
      await expect(execute(generated.MeDocument, {}, { url: stubUrl, token: ita })).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 7 });
      await expect(execute(generated.MeDocument, {}, { url: stubUrl, token: ita })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfterSeconds: 30 });
    } finally {
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    }
  });

  it('no reply at all: GatewayUnreachableError, and main says so', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const deadUrl = `http://127.0.0.1:${port}/graphql`;
    await expect(execute(generated.MeDocument, {}, { url: deadUrl, token: ita })).rejects.toBeInstanceOf(GatewayUnreachableError);
    const lines: string[] = [];
    expect(await main({ GATEWAY_URL: deadUrl, TREATYGATE_TOKEN: ita }, (line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toMatch(new RegExp(`^Cannot reach the gateway at ${deadUrl}: `));
  });

  it('has advice for every code of the contract', () => {
    // The example is a client a user copies, so it lists the codes itself: the same list as the gateway's.
    expect([...ERROR_CODES].sort()).toEqual([...CONTRACT_ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(adviceFor(code)).toMatch(/\w/);
  });
});

describe('persisted documents on the wire', () => {
  it('sends the hash with the exact text it was taken of, which the gateway checks', async () => {
    const hash = (generated.MeDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
    const text = (manifest as Record<string, string>)[hash]!;
    const send = (query: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ita}` },
        body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      });
    const good = await send(text);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { data: unknown }).data).toEqual({ me: expect.objectContaining({ party: 'ITA' }) });
    // A text that differs from the hashed one by one space is refused, without data.
    const tampered = await send(`${text} `);
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { data?: unknown }).data ?? null).toBeNull();
  });

  it('hash-only: runs a document the gateway already knows by its hash, and refuses an unknown one', async () => {
    await execute(generated.EntitlementsDocument, {}, at);
    const known = await execute(generated.EntitlementsDocument, {}, { ...at, send: 'hash-only' });
    expect(known.data.entitlements.agreementId).toBe(MED);
    // Never sent with its text to this gateway (and no TRUSTED_DOCUMENTS manifest): no data.
    await expect(execute(generated.AgreementsDocument, {}, { url, token: ita, send: 'hash-only' })).rejects.toBeInstanceOf(TreatygateError);
  });
});

describe('main(): the example scenario', () => {
  const runMain = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await main(env, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  };

  it('prints the caller, the entitlements, a page of records, the privacy summary and each null explained', async () => {
    const { code, output } = await runMain({ GATEWAY_URL: url, TREATYGATE_TOKEN: ita, AGREEMENT_ID: MED, PURPOSE: 'ANTI_TRAFFICKING' });
    expect(code).toBe(0);
    expect(output).toContain('Caller: officer-ita-1 of ITA-AGENCY (ITA), clearance ELEVATED, roles CASEWORKER');
    expect(output).toMatch(/^Entitlements under AGR-MED-TIP-2024 for ANTI_TRAFFICKING \(ALL_HELD_BY_PARTIES\): \d+ field\(s\) disclosed, \d+ minimised, \d+ withheld; filters permitted: .*familyName/m);
    expect(output).toMatch(/^Records: 5 of 11 \(next page after p_[\w-]+\)$/m);
    expect(output).toMatch(/^Privacy: agreement AGR-MED-TIP-2024, purpose ANTI_TRAFFICKING, audit id \S+$/m);
    expect(output).toMatch(/^ {4}Migrant\.religion +SPECIAL_CATEGORY_NOT_COVERED +x5$/m);
    expect(output).toMatch(/^ {2}religion: withheld \(SPECIAL_CATEGORY_NOT_COVERED\)$/m);
  });

  it('under an aggregate-only grant: no record is asked for, and it says why', async () => {
    const { code, output } = await runMain({ GATEWAY_URL: url, TREATYGATE_TOKEN: iomAnalyst, AGREEMENT_ID: MED, PURPOSE: 'STATISTICS' });
    expect(code).toBe(0);
    expect(output).toMatch(/^Records: not granted in this context\. The grant of agreement AGR-MED-TIP-2024 for purpose STATISTICS is aggregate-only/m);
    expect(output).not.toContain('Privacy:');
  });

  it('reports a refusal with its code and what to do, and asks for missing settings', async () => {
    const refused = await runMain({ GATEWAY_URL: url, TREATYGATE_TOKEN: ita, AGREEMENT_ID: MED, PURPOSE: 'BORDER_CONTROL' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('Refused: PURPOSE_NOT_GRANTED (HTTP 403)');
    expect(refused.output).toContain(`what to do: ${adviceFor('PURPOSE_NOT_GRANTED')}`);

    expect((await runMain({ GATEWAY_URL: url })).code).toBe(2);
    const badPurpose = await runMain({ GATEWAY_URL: url, TREATYGATE_TOKEN: ita, PURPOSE: 'SIGHTSEEING' });
    expect(badPurpose).toMatchObject({ code: 2, output: expect.stringContaining('PURPOSE must be one of') });
  });
});
