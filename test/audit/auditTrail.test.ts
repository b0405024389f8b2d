/**
 * The audit trail against the real database: every disclosing response appends one
 * event (decisions and ids, no personal values); tampering in MongoDB is detected; and
 * when the event cannot be written the caller gets AUDIT_UNAVAILABLE and no data.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { hashEvent, type AuditEvent } from '../../src/audit/chain';
import { signDevToken } from '../../src/dev/devKeys';
import { AUDIT_CHAINS, AUDIT_EVENTS, verifyAuditTrail } from '../../src/data/auditStore';
import { graphql, loadFixture, startTestGateway, type TestGateway } from '../support/testGateway';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const QUERY = 'query Names { migrants(first: 3) { edges { node { givenName dateOfBirth religion } } } }';
let tg: TestGateway;
let token: string;

beforeAll(async () => {
  tg = await startTestGateway({ dbName: 'test_audit_trail', fixture: true, clock: () => new Date('2025-06-01T10:00:00Z') });
  token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', sub: 'officer-ita-7', agency: 'ITA-CARABINIERI' });
});
afterAll(async () => {
  await tg?.close();
});

const events = () => tg.db.collection<AuditEvent>(AUDIT_EVENTS).find({}, { sort: { chain: 1, seq: 1 } }).toArray();

describe('audit trail', () => {
  it('appends one event per disclosing response, with decisions and ids but no personal values', async () => {
    const reply = await graphql(tg.url, { query: QUERY, token, ...MED });
    expect(reply.body.errors).toBeUndefined();
    const auditId = (reply.body.extensions?.['privacy'] as { auditId: string }).auditId;
    const stored = await events();
    expect(stored).toHaveLength(1);
    const event = stored[0]!;
    expect(event).toMatchObject({
      _id: auditId,
      seq: 0,
      sub: 'officer-ita-7',
      agency: 'ITA-CARABINIERI',
      party: 'ITA',
      agreementId: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
      operationName: 'Names',
      outcome: 'DISCLOSED',
      subjectIds: ['m-0001', 'm-0002', 'm-0003'],
      coordinates: { DISCLOSED: ['Migrant.dateOfBirth', 'Migrant.givenName'], MINIMISED: [], REDACTED: ['Migrant.religion'] },
    });
    // The SHA-256 of the document's text, as sent.
    expect(event.documentHash).toBe(createHash('sha256').update(QUERY).digest('hex'));
    const text = JSON.stringify(event);
    for (const value of loadFixture()['migrants']!.slice(0, 3).flatMap((m) => Object.values(m as Record<string, unknown>))) {
      if (typeof value === 'string' && value.length >= 4 && !/^m-\d+$/.test(value)) expect(text).not.toContain(value);
    }
  });

  it('writes no event when no record was read, and none for refusals', async () => {
    const before = (await events()).length;
    // The decision table reads no record: reported, not audited.
    const entitlements = await graphql(tg.url, { query: '{ entitlements { recordAccess } }', token, ...MED });
    expect((entitlements.body.extensions?.['privacy'] as { auditId: unknown }).auditId).toBeNull();
    // Refused before execution: a record read under the aggregate-only STATISTICS grant, a suspended agreement.
    const stats = await graphql(tg.url, { query: QUERY, token, agreementId: 'AGR-MED-TIP-2024', purpose: 'STATISTICS' });
    expect(stats.body.errors?.map((e) => e.extensions?.code)).toEqual(['RECORD_ACCESS_NOT_GRANTED']);
    expect(stats.body.extensions?.['privacy']).toBeUndefined();
    await graphql(tg.url, { query: QUERY, token, agreementId: 'AGR-AEGEAN-BORDER-2019', purpose: 'BORDER_CONTROL' });
    expect(await events()).toHaveLength(before);
  });

  it('verifies, then detects an edit, a deletion and a reordering made directly in MongoDB', async () => {
    for (let i = 0; i < 3; i++) await graphql(tg.url, { query: QUERY, token, ...MED });
    const collection = tg.db.collection<AuditEvent>(AUDIT_EVENTS);
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: true, checkedEvents: 4, chains: 1, firstInvalidEventId: null });
    const [first, second, third] = await events();

    await collection.updateOne({ _id: second!._id }, { $set: { party: 'ESP' } });
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: false, firstInvalidEventId: second!._id });
    await collection.replaceOne({ _id: second!._id }, second!);

    await collection.deleteOne({ _id: first!._id });
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: false, firstInvalidEventId: second!._id });
    await collection.insertOne(first!);

    // Swap the order of two events (through a free number: (chain, seq) is unique).
    await collection.updateOne({ _id: second!._id }, { $set: { seq: 99 } });
    await collection.updateOne({ _id: third!._id }, { $set: { seq: 1 } });
    await collection.updateOne({ _id: second!._id }, { $set: { seq: 2 } });
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: false, firstInvalidEventId: third!._id });
    await collection.updateOne({ _id: second!._id }, { $set: { seq: 99 } });
    await collection.updateOne({ _id: third!._id }, { $set: { seq: 2 } });
    await collection.updateOne({ _id: second!._id }, { $set: { seq: 1 } });
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: true });
  });

  it('detects an insider who rewrites an event and recomputes every hash after it and the head (no key)', async () => {
    const collection = tg.db.collection<AuditEvent>(AUDIT_EVENTS);
    const original = await events();
    const target = original[1]!;
    let prevHash = target.prevHash;
    for (const event of original.slice(1)) {
      const { hash: _hash, ...rest } = event;
      const edited = { ...rest, prevHash, ...(event._id === target._id ? { party: 'ESP' } : {}) };
      const rehashed = { ...edited, hash: hashEvent(edited) } as AuditEvent;
      await collection.replaceOne({ _id: event._id }, rehashed);
      prevHash = rehashed.hash;
    }
    const last = original.at(-1)!;
    const heads = tg.db.collection<{ _id: string; lastSeq: number; lastHash: string }>(AUDIT_CHAINS);
    const head = await heads.findOne({ _id: last.chain });
    await heads.updateOne({ _id: last.chain }, { $set: { lastHash: prevHash } });
    try {
      expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: false, firstInvalidEventId: target._id });
    } finally {
      for (const event of original) await collection.replaceOne({ _id: event._id }, event);
      await heads.replaceOne({ _id: last.chain }, head!);
    }
    expect(await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: true });
  });

  it('auditIntegrity: OVERSIGHT only, token only; npm run audit:verify agrees', async () => {
    const oversight = await signDevToken({ party: 'ITA', roles: ['OVERSIGHT'] });
    const ok = await graphql(tg.url, { query: '{ auditIntegrity { valid checkedEvents chains firstInvalidEventId } }', token: oversight });
    expect(ok.body.data).toEqual({ auditIntegrity: { valid: true, checkedEvents: 4, chains: 1, firstInvalidEventId: null } });
    const denied = await graphql(tg.url, { query: '{ auditIntegrity { valid } }', token });
    expect(denied.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const env = { ...process.env, MONGODB_URI: process.env['MONGODB_URI']!, MONGODB_DB: 'test_audit_trail' };
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const cli = join(__dirname, '..', '..', 'src', 'cli', 'auditVerify.ts');
    const intact = spawnSync(tsx, [cli], { env, encoding: 'utf8', timeout: 60_000 });
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('audit trail intact: 4 events in 1 chains');
    const [chainId] = (await events()).map((e) => e.chain);
    expect(intact.stdout).toContain(`chain ${chainId}: 4 events, intact\n`);

    const [first] = await events();
    await tg.db.collection<AuditEvent>(AUDIT_EVENTS).updateOne({ _id: first!._id }, { $set: { purpose: 'STATISTICS' } });
    const broken = spawnSync(tsx, [cli], { env, encoding: 'utf8', timeout: 60_000 });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`first bad event ${first!._id}`);
    expect(broken.stderr).toContain(`chain ${first!.chain}: 4 events, NOT intact from ${first!._id}`);
    const bad = await graphql(tg.url, { query: '{ auditIntegrity { valid firstInvalidEventId perChain { chain events valid firstInvalidEventId } } }', token: oversight });
    expect(bad.body.data).toEqual({
      auditIntegrity: { valid: false, firstInvalidEventId: first!._id, perChain: [{ chain: first!.chain, events: 4, valid: false, firstInvalidEventId: first!._id }] },
    });
    await tg.db.collection<AuditEvent>(AUDIT_EVENTS).replaceOne({ _id: first!._id }, first!);
  });

  it('fails closed: when the event cannot be written, AUDIT_UNAVAILABLE and no data', async () => {
    // A pseudonym for the mutation below, read while the trail can still be written.
    const ids = await graphql(tg.url, { query: '{ migrants(first: 1) { edges { node { id } } } }', token, ...MED });
    const migrantId = (ids.body.data as { migrants: { edges: { node: { id: string } }[] } }).migrants.edges[0]!.node.id;
    const stored = await events();
    const last = stored[stored.length - 1]!;
    // Occupy the next event's id, so the gateway's append fails.
    await tg.db.collection(AUDIT_EVENTS).insertOne({ _id: `${last.chain}:${last.seq + 1}` as never, chain: 'blocker', seq: -1 });
    const reply = await graphql(tg.url, { query: QUERY, token, ...MED });
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({
      data: null,
      errors: [{ message: 'The audit trail cannot be written; no data is disclosed.', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/Amara|Okafor|1994/);

    // A read of ids alone discloses records too: audited, so it fails closed the same way.
    const idsOnly = await graphql(tg.url, { query: '{ migrants(first: 1) { edges { node { id } } } }', token, ...MED });
    expect([idsOnly.status, idsOnly.body.data ?? null, idsOnly.body.errors?.map((e) => e.extensions?.code)]).toEqual([503, null, ['AUDIT_UNAVAILABLE']]);
    expect(JSON.stringify(idsOnly.body)).not.toContain(migrantId);

    // A mutation whose attempt cannot be recorded is not made at all.
    const controller = await signDevToken({ party: 'ITA', roles: ['DATA_CONTROLLER'] });
    const consentsBefore = await tg.db.collection('consents').countDocuments();
    const mutation = await graphql(tg.url, {
      query: 'mutation { recordConsent(migrantId: "' + migrantId + '", purpose: BORDER_CONTROL, evidence: "form:77") { active } }',
      token: controller,
      ...MED,
    });
    expect(mutation.status).toBe(503);
    expect(mutation.body.data ?? null).toBeNull();
    expect(mutation.body.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(await tg.db.collection('consents').countDocuments()).toBe(consentsBefore);
  });

  it('records a mutation\'s attempt before it runs, and its outcome after, linked', async () => {
    const fresh = await startTestGateway({ dbName: 'test_audit_attempts', fixture: true, clock: () => new Date('2025-06-01T12:00:00Z') });
    try {
      const ita = await signDevToken({ party: 'ITA' });
      const ids = await graphql(fresh.url, { query: '{ migrants(first: 1) { edges { node { id } } } }', token: ita, ...MED });
      const migrantId = (ids.body.data as { migrants: { edges: { node: { id: string } }[] } }).migrants.edges[0]!.node.id;
      const controller = await signDevToken({ party: 'ITA', roles: ['DATA_CONTROLLER'] });
      const reply = await graphql(fresh.url, {
        query: 'mutation Consent { recordConsent(migrantId: "' + migrantId + '", purpose: BORDER_CONTROL, evidence: "form:77") { active } }',
        token: controller,
        ...MED,
      });
      expect(reply.body.data).toEqual({ recordConsent: { active: true } });
      const stored = await fresh.db.collection<AuditEvent>(AUDIT_EVENTS).find({ operationName: 'Consent' }, { sort: { seq: 1 } }).toArray();
      expect(stored.map((e) => e.outcome)).toEqual(['ATTEMPTED', 'MUTATED']);
      expect(stored[0]!.subjectIds).toEqual([]);
      expect(stored[1]!.attemptId).toBe(stored[0]!._id);
      expect(stored[1]!.subjectIds).toEqual(['m-0001']);
      expect((await verifyAuditTrail(fresh.db, DEV_AUDIT_KEYS.byId)).valid).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
