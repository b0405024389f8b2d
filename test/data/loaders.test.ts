/**
 * Batched reads: with driver command monitoring, a nested query issues the same number
 * of database commands for 10 and for 100 records (round trips by depth, not by count).
 */
import type { CommandStartedEvent } from 'mongodb';
import { signDevToken } from '../../src/dev/devKeys';
import { generateWorld } from '../../src/world/generateWorld';
import { importWorld } from '../../src/world/importWorld';
import { graphql, startTestGateway, type TestGateway } from '../support/testGateway';
import { gatewayFor } from '../../bench/baseline/stripped';

const NESTED = /* GraphQL */ `
  query Nested($first: Int!) {
    migrants(first: $first) {
      edges { node { holder { name } family { holder { name } } requests { agreement { title } } } }
    }
  }
`;

const IGNORED = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo']);

async function commandsFor(tg: TestGateway, token: string, first: number): Promise<{ names: string[]; edges: unknown[] }> {
  const seen: string[] = [];
  const listener = (event: CommandStartedEvent): void => {
    if (!IGNORED.has(event.commandName)) seen.push(`${event.commandName}:${String(event.command[event.commandName])}`);
  };
  tg.client.on('commandStarted', listener);
  try {
    const reply = await graphql(tg.url, {
      query: NESTED,
      variables: { first },
      token,
      agreementId: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
    });
    expect(reply.body.errors).toBeUndefined();
    const edges = (reply.body.data?.['migrants'] as { edges: unknown[] }).edges;
    return { names: seen.sort(), edges };
  } finally {
    tg.client.off('commandStarted', listener);
  }
}

describe('loaders', () => {
  let stripped: TestGateway;
  let enforced: TestGateway;
  let token: string;

  beforeAll(async () => {
    stripped = await startTestGateway({
      dbName: 'test_loaders',
      gateway: gatewayFor('stripped'),
      monitorCommands: true,
      // The treaty context's agreement read is cached; keep it cached for the whole test. The
      // rate limit counts in this process (its shared counter is a command of its own, not a loader's).
      env: { AGREEMENT_CACHE_TTL_MS: '600000', RATE_LIMIT_STORE: 'memory' },
    });
    const world = generateWorld({ migrants: 600, seed: 7 });
    await importWorld(stripped.client, stripped.db, world, 'generated');
    // Requests naming the first record and one further down, so both pages have a requests level.
    const named = [world.migrants[0]!, world.migrants[50]!];
    await importWorld(
      stripped.client,
      stripped.db,
      {
        dataRequests: named.map((m, n) => ({
          id: `req-loader-${n}`,
          agreementId: 'AGR-MED-TIP-2024',
          requestingParty: m.holder === 'ITA' ? 'ESP' : 'ITA',
          requestedParty: m.holder,
          purpose: 'ANTI_TRAFFICKING',
          subjectIds: [m.id],
          categories: ['IDENTITY'],
          justification: 'Loader batching test',
          status: 'PENDING',
          submittedAt: '2025-01-01',
          decidedAt: null,
          validUntil: null,
        })),
      },
      'requests',
    );
    enforced = await startTestGateway({ dbName: 'test_loaders_enforced', monitorCommands: true });
    await importWorld(enforced.client, enforced.db, generateWorld({ migrants: 200, seed: 7 }), 'generated');
    token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
  });
  afterAll(async () => {
    await stripped?.close();
    await enforced?.close();
  });

  it('issues the same database commands for 10 and 100 records', async () => {
    await commandsFor(stripped, token, 1); // warms the agreement cache of the treaty context
    const ten = await commandsFor(stripped, token, 10);
    const hundred = await commandsFor(stripped, token, 100);
    expect(ten.edges).toHaveLength(10);
    expect(hundred.edges).toHaveLength(100);
    // The nested levels were really resolved (families and requests exist in the world).
    const withFamily = (hundred.edges as { node: { family: unknown[] } }[]).filter((e) => e.node.family.length > 0);
    expect(withFamily.length).toBeGreaterThan(0);
    const withRequests = (hundred.edges as { node: { requests: { agreement: { title: string } }[] } }[]).filter((e) => e.node.requests.length > 0);
    expect(withRequests.length).toBeGreaterThan(0);
    expect(hundred.names).toEqual(ten.names);
    // Page, parties, their family members' parties, requests, agreements: by depth only
    // (no count: `totalCount` is not selected).
    expect(hundred.names.length).toBeLessThanOrEqual(6);
    expect(new Set(hundred.names)).toEqual(new Set(['find:migrants', 'find:parties', 'find:dataRequests', 'find:agreements']));
  });

  it('leaves every field this context withholds out of the projection sent to the database', async () => {
    const projections: unknown[] = [];
    const listener = (event: CommandStartedEvent): void => {
      if (event.commandName === 'find' && event.command['find'] === 'migrants') projections.push(event.command['projection']);
    };
    enforced.client.on('commandStarted', listener);
    const reply = await graphql(enforced.url, {
      query: `{ migrants(first: 5) { totalCount edges { node {
        id holder { code } givenName familyName dateOfBirth sex placeOfBirth nationality legalStatus arrivalDate
        religion ethnicOrigin criminalRecord { convictions { offence } } health { conditions } biometrics { faceTemplate }
        victimStatus { status } address { line1 city region postalCode country } documents { type number issuingCountry expiresOn }
        family { id } requests { id } } } } }`,
      token,
      agreementId: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
    });
    enforced.client.off('commandStarted', listener);
    expect(reply.body.errors).toBeUndefined();
    const edges = (reply.body.data?.['migrants'] as { edges: { node: Record<string, unknown> }[] }).edges;
    expect(edges).toHaveLength(5);
    for (const { node } of edges) {
      // RELIGION and BIOMETRIC are not in the grant; VICTIM_STATUS needs SPECIAL (caller: ELEVATED);
      // CONTACT_LOCATION is MINIMISED and line1/city have no minimised form.
      expect(node).toMatchObject({ religion: null, biometrics: null, victimStatus: null, address: { line1: null, city: null } });
      expect(typeof node['givenName']).toBe('string');
      expect(node['id']).toMatch(/^p_/);
    }
    // ANTI_TRAFFICKING grants IDENTITY, NATIONALITY, IMMIGRATION_STATUS, FAMILY at FULL,
    // CONTACT_LOCATION and TRAVEL_DOCUMENT at MINIMISED, HEALTH (with consent) and VICTIM_STATUS.
    expect(projections).toEqual([
      {
        holder: 1,
        givenName: 1,
        familyName: 1,
        dateOfBirth: 1,
        sex: 1,
        placeOfBirth: 1,
        nationality: 1,
        legalStatus: 1,
        arrivalDate: 1,
        familyIds: 1,
        health: 1,
        'address.country': 1,
        'documents.type': 1,
        'documents.number': 1,
        'documents.issuingCountry': 1,
        'documents.expiresOn': 1,
        // HEALTH is disclosed with the subject's consent: the consents kept with the record
        // are read with it (no round trip of their own), never disclosed.
        activeConsentSince: 1,
        consentsVersion: 1,
      },
    ]);
    for (const withheld of ['religion', 'biometrics', 'ethnicOrigin', 'criminalRecord', 'victimStatus', 'address.line1', 'address']) {
      expect(Object.keys(projections[0] as object)).not.toContain(withheld);
    }
  });

  it('reads only the fields the operation selects, among those it may disclose', async () => {
    const projections: unknown[] = [];
    const listener = (event: CommandStartedEvent): void => {
      if (event.commandName === 'find' && event.command['find'] === 'migrants') projections.push(event.command['projection']);
    };
    enforced.client.on('commandStarted', listener);
    const reply = await graphql(enforced.url, {
      query: 'query { migrants(first: 3) { edges { node { ...Names religion address { city country } } } } } fragment Names on Migrant { id givenName }',
      token,
      agreementId: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
    });
    enforced.client.off('commandStarted', listener);
    expect(reply.body.errors).toBeUndefined();
    // religion is withheld (not read); Address.city is withheld at MINIMISED; country is unannotated.
    expect(projections).toEqual([{ holder: 1, givenName: 1, 'address.country': 1 }]);
  });
});
