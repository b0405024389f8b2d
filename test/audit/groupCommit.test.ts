/**
 * The audit writer under concurrent appends: every append resolves only once its event
 * is stored, the chain stays in call order and verifies, and appends that arrive while a
 * write is under way are stored together (fewer inserts than events).
 */
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import type { AuditFacts } from '../../src/audit/chain';
import { AUDIT_CHAINS, AUDIT_EVENTS, createAuditWriter, ensureAuditIndexes, verifyAuditTrail } from '../../src/data/auditStore';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const facts = (n: number): AuditFacts => ({
  at: new Date('2025-06-01T12:00:00Z'),
  sub: `officer-${n}`,
  agency: 'ITA-POLICE',
  party: 'ITA',
  agreementId: 'AGR-MED-TIP-2024',
  purpose: 'ANTI_TRAFFICKING',
  operationName: `Op${n}`,
  documentHash: 'a'.repeat(64),
  subjectIds: [`m-${n}`],
  coordinates: { DISCLOSED: ['Migrant.givenName'], MINIMISED: [], REDACTED: [] },
  outcome: 'DISCLOSED',
});

describe('audit group commit', () => {
  let client: MongoClient;
  const inserts: string[] = [];
  beforeAll(async () => {
    client = await MongoClient.connect(process.env['MONGODB_URI']!, { monitorCommands: true });
    await client.db('test_audit_group_commit').dropDatabase();
    await ensureAuditIndexes(client.db('test_audit_group_commit'));
    client.on('commandStarted', (e: CommandStartedEvent) => {
      if (e.commandName === 'insert' && e.command['insert'] === AUDIT_EVENTS) inserts.push(String((e.command['documents'] as unknown[]).length));
    });
  });
  afterAll(() => client.close());

  it('stores 300 concurrent appends in order, in fewer writes, and the chain verifies', async () => {
    const db = client.db('test_audit_group_commit');
    const writer = createAuditWriter(db, DEV_AUDIT_KEYS.current, 'chain-under-load');
    const ids = await Promise.all(Array.from({ length: 300 }, (_, n) => writer.append(facts(n))));
    expect(ids).toEqual(Array.from({ length: 300 }, (_, n) => `chain-under-load:${n}`));
    const stored = await db.collection(AUDIT_EVENTS).find({ chain: 'chain-under-load' }, { sort: { seq: 1 } }).toArray();
    expect(stored.map((e) => e['sub'])).toEqual(Array.from({ length: 300 }, (_, n) => `officer-${n}`));
    expect(inserts.length).toBeLessThan(300);
    expect(inserts.length).toBeGreaterThanOrEqual(2);
    expect(await verifyAuditTrail(db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: true, checkedEvents: 300, chains: 1 });
    // A later single append continues the chain.
    expect(await writer.append(facts(300))).toBe('chain-under-load:300');
    expect((await verifyAuditTrail(db, DEV_AUDIT_KEYS.byId)).valid).toBe(true);
  });

  it('writes the head beside the events, and puts it back when the events are refused', async () => {
    const db = client.db('test_audit_group_commit');
    const heads = db.collection<{ _id: string; lastSeq: number; lastHash: string }>(AUDIT_CHAINS);
    const writer = createAuditWriter(db, DEV_AUDIT_KEYS.current, 'chain-refused');
    expect(await writer.append(facts(0))).toBe('chain-refused:0');
    const afterFirst = await heads.findOne({ _id: 'chain-refused' });
    expect(afterFirst?.lastSeq).toBe(0);
    // Something already holds the next event's id: the insert is refused (duplicate key), the head is not.
    await db.collection(AUDIT_EVENTS).insertOne({ _id: 'chain-refused:1' as never, squatter: true });
    await expect(writer.append(facts(1))).rejects.toThrow();
    // The head is back where it was: it never names an event that is not the chain's.
    expect(await heads.findOne({ _id: 'chain-refused' })).toEqual(afterFirst);
  });
});
