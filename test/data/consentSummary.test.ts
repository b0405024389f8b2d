/**
 * The consents kept with the record (src/data/consents.ts): an import, `recordConsent`
 * and `withdrawConsent` keep each record's summary equal to what the consents collection
 * says; a request reads a subject's consents with the subject (no `find consents`); a
 * record without a summary is decided from the collection; a summary never says more
 * than the collection, also under concurrent writers. On the real database, in the
 * schema tier.
 */
import type { CommandStartedEvent } from 'mongodb';
import { collectionsOf, type Collections } from '../../src/data/database';
import { consentSummaryOf, forgetConsentPurpose, insertConsent, refreshConsentSummaries, refreshConsentSummary, withdrawConsents } from '../../src/data/consents';
import type { ConsentDoc, MigrantDoc } from '../../src/data/documents';
import type { Purpose } from '../../src/policy/taxonomy';
import { startSchemaTier, type SchemaTier } from '../support/schemaTier';
import { loadFixture } from '../support/testGateway';

const NOW = new Date('2025-06-01T10:00:00Z');
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const CASEWORKER = { party: 'ITA', clearance: 'ELEVATED' as const, roles: ['CASEWORKER' as const] };
const CONTROLLER = { party: 'ITA', clearance: 'ELEVATED' as const, roles: ['DATA_CONTROLLER' as const] };
let tier: SchemaTier;
let collections: Collections;
const ids: Record<string, string> = {};
const commands: string[] = [];

beforeAll(async () => {
  tier = await startSchemaTier({ dbName: 'test_consent_summary', fixture: true, clock: () => NOW, monitorCommands: true });
  collections = collectionsOf(tier.db);
  tier.client.on('commandStarted', (e: CommandStartedEvent) => commands.push(`${e.commandName} ${String(e.command[e.commandName])}`));
  const reply = await tier.execute({ caller: CASEWORKER, ...MED, query: '{ migrants(first: 50) { edges { node { id givenName } } } }' });
  for (const { node } of (reply.body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges) ids[node.givenName] = node.id;
});
afterAll(async () => {
  await tier?.close();
});

const stored = (id: string) => collections.migrants.findOne({ _id: id }) as Promise<MigrantDoc>;
const fromCollection = async (id: string) => consentSummaryOf(await collections.consents.find({ migrantId: id }).toArray());

/** Health of Amara (m-0001) and Fatima (m-0004) under MED ANTI_TRAFFICKING, and the commands the read sent. */
async function healthRead(): Promise<{ amara: unknown; fatima: unknown; commands: string[] }> {
  commands.length = 0;
  const reply = await tier.execute({
    caller: CASEWORKER,
    ...MED,
    query: 'query($a: ID!, $f: ID!) { a: migrant(id: $a) { health { conditions } } f: migrant(id: $f) { health { conditions } } }',
    variables: { a: ids['Amara'], f: ids['Fatima'] },
  });
  expect(reply.body.errors).toBeUndefined();
  const data = reply.body.data as { a: { health: unknown }; f: { health: unknown } };
  return { amara: data.a.health, fatima: data.f.health, commands: [...commands] };
}

describe('the consents kept with the record', () => {
  it('are summarised by the import: by purpose, the earliest consent never withdrawn', async () => {
    const fixture = loadFixture()['migrants'] as { id: string }[];
    for (const { id } of fixture) {
      const doc = await stored(id);
      expect(doc.consentsVersion).toBeGreaterThanOrEqual(1);
      expect(doc.activeConsentSince).toEqual(await fromCollection(id));
    }
    // Written by hand from the fixture: m-0001 SERVICE_DELIVERY since 2024-11-05; m-0004's
    // SERVICE_DELIVERY consent was withdrawn, its ANTI_TRAFFICKING one stands.
    expect((await stored('m-0001')).activeConsentSince).toEqual({ SERVICE_DELIVERY: new Date('2024-11-05T00:00:00Z') });
    expect((await stored('m-0004')).activeConsentSince).toEqual({ ANTI_TRAFFICKING: new Date('2022-06-02T00:00:00Z') });
  });

  it('decide consent-dependent fields with the record read, without a round trip of their own', async () => {
    const read = await healthRead();
    expect(read.amara).toBeNull();
    expect(read.fatima).toEqual({ conditions: expect.any(Array) });
    expect(read.commands.filter((c) => c.endsWith(' consents'))).toEqual([]);
  });

  it('follow recordConsent and withdrawConsent at once', async () => {
    const record = await tier.execute({
      caller: CONTROLLER,
      ...MED,
      query: 'mutation($m: ID!) { recordConsent(migrantId: $m, purpose: ANTI_TRAFFICKING, evidence: "signed form 7") { purpose } }',
      variables: { m: ids['Amara'] },
    });
    expect(record.body.errors).toBeUndefined();
    expect((await stored('m-0001')).activeConsentSince).toEqual({ SERVICE_DELIVERY: new Date('2024-11-05T00:00:00Z'), ANTI_TRAFFICKING: new Date('2025-06-01T00:00:00Z') });
    expect((await healthRead()).amara).toEqual({ conditions: expect.any(Array) });
    const withdraw = await tier.execute({
      caller: CONTROLLER,
      ...MED,
      query: 'mutation($m: ID!) { withdrawConsent(migrantId: $m, purpose: ANTI_TRAFFICKING) { withdrawnAt } }',
      variables: { m: ids['Amara'] },
    });
    expect(withdraw.body.errors).toBeUndefined();
    expect((await stored('m-0001')).activeConsentSince).toEqual({ SERVICE_DELIVERY: new Date('2024-11-05T00:00:00Z') });
    expect((await healthRead()).amara).toBeNull();
  });

  it('are read from the collection for a record without a summary (written before summaries existed)', async () => {
    await collections.migrants.updateOne({ _id: 'm-0004' }, { $unset: { activeConsentSince: '', consentsVersion: '' } });
    try {
      const read = await healthRead();
      expect(read.fatima).toEqual({ conditions: expect.any(Array) });
      expect(read.commands.filter((c) => c.endsWith(' consents'))).toEqual(['find consents']);
    } finally {
      await refreshConsentSummary(collections, 'm-0004');
    }
    expect((await stored('m-0004')).activeConsentSince).toEqual({ ANTI_TRAFFICKING: new Date('2022-06-02T00:00:00Z') });
  });

  it('never say more than the collection: a purpose taken out before its withdrawal is withheld at once', async () => {
    await forgetConsentPurpose(collections, 'm-0004', 'ANTI_TRAFFICKING');
    // The withdrawal itself has not been written (as if the gateway stopped in between): withheld.
    expect((await healthRead()).fatima).toBeNull();
    await refreshConsentSummary(collections, 'm-0004');
    expect((await healthRead()).fatima).toEqual({ conditions: expect.any(Array) });
  });

  it('end equal to the collection whatever the interleaving of concurrent writers', async () => {
    const subject = 'm-0012';
    const purposes: Purpose[] = ['ANTI_TRAFFICKING', 'SERVICE_DELIVERY', 'ASYLUM_PROCESSING'];
    let day = 0;
    for (let round = 0; round < 15; round++) {
      const writes = Array.from({ length: 6 }, (_, i) => {
        const purpose = purposes[(round + i) % purposes.length]!;
        if ((round * 7 + i) % 3 === 0) {
          return (async () => {
            await forgetConsentPurpose(collections, subject, purpose);
            await withdrawConsents(collections, subject, purpose, new Date(Date.UTC(2025, 0, 1 + day)));
            await refreshConsentSummary(collections, subject);
          })();
        }
        const givenAt = new Date(Date.UTC(2024, 0, 1 + ++day));
        const consent: ConsentDoc = { _id: `${subject}|${purpose}|${givenAt.toISOString()}|${round}|${i}`, migrantId: subject, purpose, givenAt, withdrawnAt: null, evidence: null };
        return (async () => {
          await insertConsent(collections, consent);
          await refreshConsentSummary(collections, subject);
        })();
      });
      // An import's bulk recomputation among them.
      await Promise.all([...writes, refreshConsentSummaries(collections, [subject, 'm-0011'])]);
      expect((await stored(subject)).activeConsentSince).toEqual(await fromCollection(subject));
    }
  });

  it('let no writer that read the collection before another write overwrite that write\'s summary', async () => {
    const subject = 'm-0011';
    // A recomputation whose read of the consents is held until `release` (as a slow writer's would be).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slowConsents = new Proxy(collections.consents, {
      get(target, property, receiver) {
        if (property !== 'find') return Reflect.get(target, property, receiver) as unknown;
        return (...args: Parameters<typeof target.find>) => {
          const cursor = target.find(...args);
          const hold = first;
          first = false;
          return { toArray: async () => {
            const docs = await cursor.toArray();
            if (hold) await held;
            return docs;
          } };
        };
      },
    });
    const slow = refreshConsentSummary({ ...collections, consents: slowConsents } as Collections, subject);
    // Meanwhile another writer stores a consent and recomputes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await insertConsent(collections, { _id: `${subject}|FAMILY_REUNIFICATION|late`, migrantId: subject, purpose: 'FAMILY_REUNIFICATION', givenAt: new Date('2025-05-01T00:00:00Z'), withdrawnAt: null, evidence: null });
    await refreshConsentSummary(collections, subject);
    release();
    await slow;
    // The slow writer's stale reading did not win: it read again.
    expect((await stored(subject)).activeConsentSince).toEqual(await fromCollection(subject));
    expect((await stored(subject)).activeConsentSince).toHaveProperty('FAMILY_REUNIFICATION');
  });
});
