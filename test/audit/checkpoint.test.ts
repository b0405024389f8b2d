/**
 * Signed checkpoints of the audit trail over a real database: a gateway configured with
 * AUDIT_SIGNING_KEY and AUDIT_CHECKPOINT_DIR writes one on stop, `npm run audit:verify --
 * --checkpoint FILE` accepts the untouched trail, and names each tampering an insider
 * with write access to the database can do that the chains alone cannot show: a whole
 * chain deleted with its head, a chain truncated with its head moved back, another
 * chain in its place (made with the audit key itself); and a forged or altered
 * checkpoint is refused.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainEvent, GENESIS, type AuditEvent, type ChainHead } from '../../src/audit/chain';
import { openCheckpoint } from '../../src/audit/checkpoint';
import { developmentAuditKeyring } from '../../src/audit/keys';
import { AUDIT_CHAINS, AUDIT_EVENTS } from '../../src/data/auditStore';
import { signDevToken } from '../../src/dev/devKeys';
import { graphql, startTestGateway, type TestGateway } from '../support/testGateway';

const DB_NAME = 'test_audit_checkpoint';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const dir = mkdtempSync(join(tmpdir(), 'tg-checkpoints-'));
const publicKeyFile = join(dir, 'audit-signing.pub.pem');
writeFileSync(publicKeyFile, publicPem);

let tg: TestGateway;
let checkpointFile: string;

function verifyCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, MONGODB_URI: process.env['MONGODB_URI']!, MONGODB_DB: DB_NAME };
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(__dirname, '..', '..', 'src', 'cli', 'auditVerify.ts');
  return spawnSync(tsx, [cli, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

const events = () => tg.db.collection<AuditEvent>(AUDIT_EVENTS);
const heads = () => tg.db.collection<ChainHead>(AUDIT_CHAINS);

/** Runs `tamper`, checks what audit:verify says with the checkpoint, then restores the trail. */
async function whileTampered(tamper: () => Promise<void>, check: (result: ReturnType<typeof verifyCli>) => void): Promise<void> {
  const savedEvents = await events().find().toArray();
  const savedHeads = await heads().find().toArray();
  await tamper();
  try {
    check(verifyCli('--checkpoint', checkpointFile, '--public-key', publicKeyFile));
  } finally {
    await events().deleteMany({});
    await heads().deleteMany({});
    await events().insertMany(savedEvents);
    await heads().insertMany(savedHeads);
  }
}

beforeAll(async () => {
  tg = await startTestGateway({
    dbName: DB_NAME,
    fixture: true,
    env: { AUDIT_SIGNING_KEY: privatePem, AUDIT_CHECKPOINT_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' },
  });
  const token = await signDevToken({ party: 'ITA', roles: ['CASEWORKER'], clearance: 'ELEVATED' });
  for (let i = 0; i < 4; i++) {
    await graphql(tg.url, { query: '{ migrants(first: 2) { edges { node { id givenName } } } }', token, agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' });
  }
  // A second instance's chain: written by the library, as another gateway would.
  const key = developmentAuditKeyring().current;
  let prev = GENESIS;
  const other: AuditEvent[] = [];
  for (let seq = 0; seq < 3; seq++) {
    const event = chainEvent('other-instance', seq, prev, { ...(await events().findOne())!, subjectIds: [`m-${seq}`] }, key);
    other.push(event);
    prev = event.hash;
  }
  await events().insertMany(other);
  await heads().insertOne({ _id: 'other-instance', lastSeq: 2, lastHash: prev });
  // Stopping writes the last checkpoint.
  await tg.close();
  const files = readdirSync(dir).filter((f) => f.startsWith('checkpoint-'));
  expect(files).toHaveLength(1);
  checkpointFile = join(dir, files[0]!);
  const { MongoClient } = await import('mongodb');
  const client = await MongoClient.connect(process.env['MONGODB_URI']!);
  tg = { ...tg, db: client.db(DB_NAME), client };
});
afterAll(async () => {
  await tg.client.close();
});

it('writes a signed checkpoint of every chain on stop, and the untouched trail verifies against it', () => {
  const opened = openCheckpoint(readFileSync(checkpointFile, 'utf8'), publicKey);
  expect(opened.ok).toBe(true);
  if (!opened.ok) return;
  expect(opened.checkpoint.chains.map((c) => c.chain)).toContain('other-instance');
  expect(opened.checkpoint.chains.find((c) => c.chain === 'other-instance')).toMatchObject({ lastSeq: 2 });
  const result = verifyCli('--checkpoint', checkpointFile, '--public-key', publicKeyFile);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/checkpoint .*: signature good, 2 chains/);
  expect(result.stdout).toMatch(/audit trail intact: 7 events in 2 chains/);
});

it('names a whole chain deleted with its head', async () => {
  await whileTampered(
    async () => {
      await events().deleteMany({ chain: 'other-instance' });
      await heads().deleteOne({ _id: 'other-instance' });
    },
    (result) => {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('checkpoint: chain other-instance is missing (the checkpoint names it with 3 events)');
      // Without the checkpoint, the remaining trail verifies: only the checkpoint shows it.
      expect(verifyCli().status).toBe(0);
    },
  );
});

it('names a chain truncated with its head moved back', async () => {
  await whileTampered(
    async () => {
      const second = (await events().findOne({ _id: 'other-instance:1' }))!;
      await events().deleteOne({ _id: 'other-instance:2' });
      await heads().updateOne({ _id: 'other-instance' }, { $set: { lastSeq: 1, lastHash: second.hash } });
    },
    (result) => {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("checkpoint: chain other-instance is shorter than the checkpoint's 3 events");
      expect(verifyCli().status).toBe(0);
    },
  );
});

it('names another chain in the place of a checkpointed one, even one made with the audit key', async () => {
  await whileTampered(
    async () => {
      const key = developmentAuditKeyring().current;
      const template = (await events().findOne({ chain: 'other-instance' }))!;
      await events().deleteMany({ chain: 'other-instance' });
      let prev = GENESIS;
      for (let seq = 0; seq < 3; seq++) {
        const { _id, chain, seq: _s, prevHash: _p, keyId: _k, mac: _m, hash: _h, ...facts } = template;
        const event = chainEvent('other-instance', seq, prev, { ...facts, subjectIds: ['m-rewritten'] }, key);
        await events().insertOne(event);
        prev = event.hash;
        expect(_id).toBeDefined();
        expect(chain).toBe('other-instance');
      }
      await heads().updateOne({ _id: 'other-instance' }, { $set: { lastSeq: 2, lastHash: prev } });
    },
    (result) => {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('checkpoint: chain other-instance holds another event at other-instance:2 than the checkpoint names');
    },
  );
});

it('refuses a forged or altered checkpoint, and one verified with another key', () => {
  const signed = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { checkpoint: { chains: { lastSeq: number }[] }; signature: string };
  signed.checkpoint.chains[0]!.lastSeq -= 1;
  const altered = join(dir, 'altered.json');
  writeFileSync(altered, JSON.stringify(signed));
  const result = verifyCli('--checkpoint', altered, '--public-key', publicKeyFile);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('the signature does not match');

  const otherKey = join(dir, 'other.pub.pem');
  writeFileSync(otherKey, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
  expect(verifyCli('--checkpoint', checkpointFile, '--public-key', otherKey).status).toBe(1);

  const missingKey = verifyCli('--checkpoint', checkpointFile);
  expect(missingKey.status).toBe(2);
  expect(missingKey.stderr).toContain('--checkpoint needs the public key');
});
