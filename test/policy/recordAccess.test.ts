/**
 * Aggregate-only grants (contract section 5, as docs/api.md "Aggregate-only grants"
 * defines them): no data category above AGGREGATE, whatever special categories the grant
 * lists. Table-driven; no server, no database.
 */
import { isAggregateOnly, recordAccessRefusal, recordAccessRefusalMessage } from '../../src/policy/recordAccess';
import type { GrantPolicy } from '../../src/policy/treaty';

const grant = (categories: Record<string, string>, specialCategories: string[] = []): GrantPolicy =>
  ({ purpose: 'STATISTICS', subjectScope: 'ALL_HELD_BY_PARTIES', categories, specialCategories }) as unknown as GrantPolicy;

describe('isAggregateOnly', () => {
  it.each<[string, Record<string, string>, string[], boolean]>([
    ['the fixture STATISTICS grant (AGGREGATE categories, VICTIM_STATUS listed)', { IDENTITY: 'AGGREGATE', NATIONALITY: 'AGGREGATE', IMMIGRATION_STATUS: 'AGGREGATE' }, ['VICTIM_STATUS'], true],
    ['AGGREGATE categories and no special category', { IDENTITY: 'AGGREGATE' }, [], true],
    ['every category NONE', { IDENTITY: 'NONE', FAMILY: 'NONE' }, [], true],
    ['no category at all, special categories listed', {}, ['HEALTH', 'RELIGION'], true],
    ['one category MINIMISED', { IDENTITY: 'AGGREGATE', CONTACT_LOCATION: 'MINIMISED' }, [], false],
    ['one category FULL', { NATIONALITY: 'FULL' }, [], false],
    ['a level the code does not know (fail closed: no record access)', { IDENTITY: 'EVERYTHING' }, [], true],
  ])('%s', (_name, categories, specialCategories, expected) => {
    expect(isAggregateOnly(grant(categories, specialCategories))).toBe(expected);
  });
});

describe('the refusal in words', () => {
  it('names the agreement, the purpose, the special categories that may only be counted, the refused reads and what to ask instead', () => {
    const statistics = grant({ IDENTITY: 'AGGREGATE' }, ['VICTIM_STATUS']);
    expect(recordAccessRefusalMessage('AGR-1', statistics, ['migrants', 'dataRequests'])).toBe(
      'The grant of agreement AGR-1 for purpose STATISTICS is aggregate-only (no data category above AGGREGATE): ' +
        'it answers statistics and entitlements, never individual records or their pseudonyms; its special categories (VICTIM_STATUS) may only be counted. ' +
        'Refused: migrants, dataRequests; nothing was read. Ask `statistics` for counts with disclosure control, or `entitlements` for what this context allows.',
    );
    expect(recordAccessRefusal('AGR-1', grant({ IDENTITY: 'AGGREGATE' }))).toBe(
      'The grant of agreement AGR-1 for purpose STATISTICS is aggregate-only (no data category above AGGREGATE): it answers statistics and entitlements, never individual records or their pseudonyms.',
    );
    expect(recordAccessRefusal('AGR-1', grant({ IDENTITY: 'MINIMISED' }))).toBeNull();
  });
});
