/**
 * Automatic persisted queries (Apollo Server's APQ, used by the typed client): the
 * protocol's refusals reach the caller as contract codes, with the protocol's own
 * message where standard clients look for it, never as INTERNAL_SERVER_ERROR.
 */
import { createHash } from 'node:crypto';
import { signDevToken } from '../../src/dev/devKeys';
import { startTestGateway, type TestGateway } from '../support/testGateway';

describe('persisted queries', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_persisted_queries' });
    token = await signDevToken({ party: 'ITA', clearance: 'STANDARD', roles: ['CASEWORKER'] });
  });
  afterAll(() => gw.close());

  const post = async (body: unknown) => {
    const response = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } };
  };
  const query = '{ me { party } }';
  const hash = createHash('sha256').update(query).digest('hex');

  it('an unknown hash alone: PersistedQueryNotFound as BAD_USER_INPUT, then hash and text register it', async () => {
    const first = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(first.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT' } }]);
    const both = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(both.body).toEqual({ data: { me: { party: 'ITA' } } });
    const again = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(again.body).toEqual({ data: { me: { party: 'ITA' } } });
  });

  it('a hash that does not match the text, or an unknown version: HTTP 400, BAD_USER_INPUT', async () => {
    const mismatch = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([{ message: expect.stringMatching(/^`extensions.persistedQuery.sha256Hash` is not the SHA-256 of the `query` sent with it/), extensions: { code: 'BAD_USER_INPUT' } }]);
    const version = await post({ query, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } });
    expect(version.status).toBe(400);
    expect(version.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});
