/**
 * The trust registry against the real test database: the file's `trust` entries are
 * written by import (one document per party, `_id` the party code), read back by
 * `findTrust`, replaced whole by a re-import, and left alone for parties not in the file.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { collectionsOf } from '../../src/data/database';
import { ImportInterruptedError, ImportRejectedError, importWorld } from '../../src/world/importWorld';
import { findTrust, toTrustDoc } from '../../src/data/trustRegistry';
import type { WorldTrust } from '../../src/data/world';
import { connectTestDb, loadFixture } from '../support/testGateway';

const DB_NAME = 'test_trust_registry';
let client: MongoClient;
let db: Db;

const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EC_PEM = EC.publicKey.export({ type: 'spki', format: 'pem' }) as string;

const ITA_TRUST = {
  party: 'ITA',
  identityProviders: [{ issuer: 'https://idp.interno.it', audience: 'treatygate', jwksUrl: 'https://idp.interno.it/jwks.json' }],
};
const ESP_TRUST = {
  party: 'ESP',
  requireDpop: true,
  identityProviders: [{ issuer: 'esp-hsm', audience: 'treatygate-esp', publicKeys: [RSA_PEM, EC_PEM], algorithms: ['RS256', 'ES256'] }],
};

/** The shared fixture with `trust` as its trust registry. */
function worldWith(trust: unknown[]): Record<string, unknown[]> {
  return { ...loadFixture(), trust };
}

beforeAll(async () => {
  ({ client, db } = await connectTestDb(DB_NAME));
});
afterAll(async () => {
  await client.close();
});

describe('trust registry: import and findTrust', () => {
  let firstWrite: Date;

  it('imports the file\'s entries, one document per party, and counts them', async () => {
    const before = new Date();
    const summary = await importWorld(client, db, worldWith([ITA_TRUST, ESP_TRUST]), 'trust.json');
    expect(summary).toMatchObject({ parties: 5, agreements: 4, trust: 2 });
    expect(await collectionsOf(db).trust.countDocuments()).toBe(2);

    const ita = await findTrust(collectionsOf(db), 'ITA');
    expect(ita).toEqual({
      _id: 'ITA',
      requireDpop: false,
      identityProviders: [
        { issuer: 'https://idp.interno.it', audience: 'treatygate', jwksUrl: 'https://idp.interno.it/jwks.json', publicKeys: [], algorithms: ['RS256', 'ES256'] },
      ],
      updatedAt: expect.any(Date),
    });
    firstWrite = ita!.updatedAt;
    expect(firstWrite.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);

    const esp = await findTrust(collectionsOf(db), 'ESP');
    expect(esp).toEqual({
      _id: 'ESP',
      requireDpop: true,
      identityProviders: [{ issuer: 'esp-hsm', audience: 'treatygate-esp', jwksUrl: null, publicKeys: [RSA_PEM, EC_PEM], algorithms: ['RS256', 'ES256'] }],
      updatedAt: expect.any(Date),
    });
  });

  it('finds nothing for a party with no entry', async () => {
    expect(await findTrust(collectionsOf(db), 'GRC')).toBeNull();
    expect(await findTrust(collectionsOf(db), 'NOPE')).toBeNull();
  });

  it('a re-import replaces a party\'s entry whole; parties not in the file keep theirs', async () => {
    const espBefore = await findTrust(collectionsOf(db), 'ESP');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // ITA's providers withdrawn: nobody speaks for it now.
    const summary = await importWorld(client, db, worldWith([{ party: 'ITA', requireDpop: true, identityProviders: [] }]), 'withdraw.json');
    expect(summary.trust).toBe(1);
    const ita = await findTrust(collectionsOf(db), 'ITA');
    expect(ita).toEqual({ _id: 'ITA', requireDpop: true, identityProviders: [], updatedAt: expect.any(Date) });
    expect(ita!.updatedAt.getTime()).toBeGreaterThan(firstWrite.getTime());
    expect(await findTrust(collectionsOf(db), 'ESP')).toEqual(espBefore);
    expect(await collectionsOf(db).trust.countDocuments()).toBe(2);
  });

  it('a file without trust leaves the registry as it is', async () => {
    const before = await collectionsOf(db).trust.find().sort({ _id: 1 }).toArray();
    const summary = await importWorld(client, db, loadFixture(), 'small-world.json');
    expect(summary.trust).toBe(0);
    expect(await collectionsOf(db).trust.find().sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('accepts an entry for a stored party in a file of trust alone', async () => {
    await importWorld(client, db, { trust: [{ ...ITA_TRUST, party: 'GRC' }] }, 'grc.json');
    expect((await findTrust(collectionsOf(db), 'GRC'))?.identityProviders.map((p) => p.issuer)).toEqual(['https://idp.interno.it']);
  });

  it('rejects an entry for an unknown party, and one with a private key, writing nothing and quoting no key', async () => {
    const before = await collectionsOf(db).trust.find().sort({ _id: 1 }).toArray();
    const privatePem = EC.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const bad = worldWith([
      { ...ITA_TRUST, party: 'FRA' },
      { ...ESP_TRUST, identityProviders: [{ issuer: 'esp-hsm', audience: 'treatygate', publicKeys: [privatePem] }] },
    ]);
    const error: unknown = await importWorld(client, db, bad, 'bad-trust.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems).toEqual([
      expect.objectContaining({ collection: 'trust', index: 0, id: 'FRA', field: 'party' }),
      expect.objectContaining({
        collection: 'trust',
        index: 1,
        id: 'ESP',
        field: 'identityProviders[0].publicKeys[0]',
        message: 'is a private key: only public keys belong in the registry',
      }),
    ]);
    expect((error as Error).message).not.toMatch(/-----|[A-Za-z0-9+/=]{20,}/);
    expect(await collectionsOf(db).trust.find().sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('a write the database fails while writing trust names the collection; importing again completes it', async () => {
    const { client: own, db: fresh } = await connectTestDb(`${DB_NAME}_interrupted`);
    try {
      // `fresh`, with the bulk writes to `trust` failing.
      const failing = new Proxy(fresh, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (prop !== 'collection') return typeof value === 'function' ? value.bind(target) : value;
          return (name: string) => {
            const collection = target.collection(name);
            if (name !== 'trust') return collection;
            return new Proxy(collection, {
              get(c, p) {
                if (p === 'bulkWrite') return () => Promise.reject(new Error('disk full'));
                const member = Reflect.get(c, p, c) as unknown;
                return typeof member === 'function' ? member.bind(c) : member;
              },
            });
          };
        },
      });
      const error: unknown = await importWorld(own, failing, worldWith([ITA_TRUST]), 'trust.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportInterruptedError);
      expect((error as ImportInterruptedError).collection).toBe('trust');
      await importWorld(own, fresh, worldWith([ITA_TRUST]), 'trust.json');
      expect((await findTrust(collectionsOf(fresh), 'ITA'))?._id).toBe('ITA');
    } finally {
      await own.close();
    }
  });
});

describe('toTrustDoc', () => {
  it('keys the document by party, stamps the write time and copies every list', () => {
    const world: WorldTrust = {
      party: 'ITA',
      requireDpop: true,
      identityProviders: [{ issuer: 'ita-hsm', audience: 'treatygate', jwksUrl: null, publicKeys: [EC_PEM], algorithms: ['ES256'] }],
    };
    const now = new Date('2026-06-15T12:00:00Z');
    const doc = toTrustDoc(world, now);
    expect(doc).toEqual({
      _id: 'ITA',
      requireDpop: true,
      identityProviders: [{ issuer: 'ita-hsm', audience: 'treatygate', jwksUrl: null, publicKeys: [EC_PEM], algorithms: ['ES256'] }],
      updatedAt: now,
    });
    expect(doc.identityProviders[0]).not.toBe(world.identityProviders[0]);
    expect(doc.identityProviders[0]!.publicKeys).not.toBe(world.identityProviders[0]!.publicKeys);
    expect(doc.identityProviders[0]!.algorithms).not.toBe(world.identityProviders[0]!.algorithms);
  });
});
