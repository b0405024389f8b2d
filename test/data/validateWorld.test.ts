/**
 * The import validator (contract section 6): every rule, every problem collected, each
 * naming collection, index and field; nothing unchecked copied into the returned world.
 */
import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIsoDate } from '../../src/policy/calendar';
import { formatProblems, validateWorld, type ExistingIds, type ImportProblem } from '../../src/world/validateWorld';

const FIXTURE_PATH = path.resolve(__dirname, '../fixtures/small-world.json');
const FIXTURE_TEXT = readFileSync(FIXTURE_PATH, 'utf8');
const NOW = new Date('2026-06-15T12:00:00Z');

/** The fixture as untyped JSON, so tests can break it in any way. */
type Json = any;
interface RawWorld {
  parties: Json[];
  agreements: Json[];
  migrants: Json[];
  dataRequests: Json[];
  consents: Json[];
  trust?: Json[];
}

function fixture(): RawWorld {
  return JSON.parse(FIXTURE_TEXT) as RawWorld;
}

/** Problems of the fixture after `change` (empty when it still validates). */
function problemsAfter(change: (w: RawWorld) => void, existing?: ExistingIds): ImportProblem[] {
  const world = fixture();
  change(world);
  const result = validateWorld(world, 'w.json', existing ? { existing, now: NOW } : { now: NOW });
  return result.ok ? [] : result.problems;
}

/** `'migrants[3] dateOfBirth'` → a matcher on collection, index and field. */
function at(where: string): ReturnType<typeof expect.objectContaining> {
  const match = /^(\S+?)(?:\[(\d+)\])? (.+)$/.exec(where);
  if (!match) throw new Error(`bad location ${where}`);
  const [, collection, index, field] = match;
  return expect.objectContaining({ collection, index: index === undefined ? null : Number(index), field });
}

type Case = [name: string, change: (w: RawWorld) => void, where: string];

function expectProblem([, change, where]: Case): void {
  expect(problemsAfter(change)).toContainEqual(at(where));
}

describe('validateWorld: the shared fixture', () => {
  it('validates with no problems and returns a world deep-equal to the input', () => {
    const input = fixture();
    const result = validateWorld(input, 'small-world.json');
    // The fixture has no trust registry: a validated world always has one, empty here.
    expect(result).toEqual({ ok: true, world: { ...input, trust: [] } });
    if (result.ok) expect(JSON.stringify(result.world)).toBe(JSON.stringify({ ...input, trust: [] }));
  });

  it('rejects a copy with three bad records, naming each (collection, index, id, field)', () => {
    const problems = problemsAfter((w) => {
      w.migrants[3].dateOfBirth = '1999-13-40';
      w.consents[1].purpose = 'SIGHTSEEING';
      w.dataRequests[2].agreementId = 'AGR-DOES-NOT-EXIST';
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'w.json', collection: 'migrants', index: 3, id: 'm-0004', field: 'dateOfBirth' }),
      expect.objectContaining({ collection: 'dataRequests', index: 2, id: 'req-0003', field: 'agreementId' }),
      expect.objectContaining({ collection: 'consents', index: 1, field: 'purpose' }),
    ]);
  });

  it('collects every problem of one record, not just the first', () => {
    const problems = problemsAfter((w) => {
      Object.assign(w.migrants[0], { sex: 'Q', recordedAt: '2023-02-30', nationality: 'Nigeria', holder: 'FRA' });
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['holder', 'nationality', 'recordedAt', 'sex']);
  });
});

describe('validateWorld: file and collection shape', () => {
  it.each<[string, unknown, string]>([
    ['an array', [], '(root) (root)'],
    ['null', null, '(root) (root)'],
    ['a string', 'world', '(root) (root)'],
    ['a Map', new Map(), '(root) (root)'],
    ['an unknown top-level key', { people: [] }, '(root) people'],
    ['a collection that is not an array', { parties: {} }, 'parties (collection)'],
    ['a collection that is a string', { migrants: 'm-1' }, 'migrants (collection)'],
    ['a record that is a string', { parties: ['ITA'] }, 'parties[0] (record)'],
    ['a record that is null', { consents: [null] }, 'consents[0] (record)'],
    ['a record that is an array', { agreements: [[]] }, 'agreements[0] (record)'],
    ['a record that is a Date', { migrants: [new Date()] }, 'migrants[0] (record)'],
    ['a record that is a class instance', { parties: [new (class Party { code = 'ITA'; name = 'Italy'; kind = 'STATE'; })()] }, 'parties[0] (record)'],
    ['a hole in a collection', { consents: [, ] }, 'consents[0] (record)'],
  ])('rejects %s', (_name, input, where) => {
    const result = validateWorld(input, 'w.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual(at(where));
  });

  it('accepts objects from another realm (structuredClone) and without a prototype', () => {
    expect(validateWorld(structuredClone(fixture()), 'w.json').ok).toBe(true);
    const party = Object.assign(Object.create(null) as object, { code: 'ITA', name: 'Italy', kind: 'STATE' });
    expect(validateWorld({ parties: [party] }, 'w.json').ok).toBe(true);
  });

  it('treats missing collections as empty', () => {
    expect(validateWorld({}, 'w.json')).toEqual({
      ok: true,
      world: { parties: [], agreements: [], migrants: [], dataRequests: [], consents: [], trust: [] },
    });
    expect(validateWorld({ parties: fixture().parties }, 'w.json').ok).toBe(true);
  });
});

describe('validateWorld: field types and required fields', () => {
  it.each<Case>([
    ['a number where a string belongs', (w) => void (w.parties[0].name = 5), 'parties[0] name'],
    ['a boolean where a string belongs', (w) => void (w.migrants[0].givenName = true), 'migrants[0] givenName'],
    ['a string where an integer belongs', (w) => void (w.agreements[0].minCellSize = '5'), 'agreements[0] minCellSize'],
    ['a fraction where an integer belongs', (w) => void (w.agreements[0].retentionDays = 1.5), 'agreements[0] retentionDays'],
    ['an array where an object belongs', (w) => void (w.migrants[0].address = []), 'migrants[0] address'],
    ['an object where an array belongs', (w) => void (w.migrants[0].documents = {}), 'migrants[0] documents'],
    ['a string where an array belongs', (w) => void (w.agreements[0].parties = 'ITA,ESP'), 'agreements[0] parties'],
    ['a non-object array entry', (w) => void (w.migrants[0].documents = ['A123']), 'migrants[0] documents[0]'],
    ['null in a non-nullable field', (w) => void (w.migrants[0].holder = null), 'migrants[0] holder'],
    ['null recordedAt', (w) => void (w.migrants[0].recordedAt = null), 'migrants[0] recordedAt'],
    ['null documents', (w) => void (w.migrants[0].documents = null), 'migrants[0] documents'],
    ['null justification', (w) => void (w.dataRequests[0].justification = null), 'dataRequests[0] justification'],
    ['a missing required field', (w) => void delete w.migrants[0].recordedAt, 'migrants[0] recordedAt'],
    ['a missing nullable field', (w) => void delete w.migrants[0].givenName, 'migrants[0] givenName'],
    ['missing familyIds', (w) => void delete w.migrants[0].familyIds, 'migrants[0] familyIds'],
    ['missing grants', (w) => void delete w.agreements[0].grants, 'agreements[0] grants'],
    ['a missing nested field', (w) => void delete w.migrants[0].address.city, 'migrants[0] address.city'],
    ['a missing withdrawnAt', (w) => void delete w.consents[0].withdrawnAt, 'consents[0] withdrawnAt'],
    ['a non-string decisionNote', (w) => void (w.dataRequests[0].decisionNote = 7), 'dataRequests[0] decisionNote'],
    ['a non-string evidence', (w) => void (w.consents[0].evidence = ['scan']), 'consents[0] evidence'],
  ])('reports %s', (...c) => expectProblem(c));
});

describe('validateWorld: enumerations', () => {
  it.each<Case>([
    ['party kind', (w) => void (w.parties[0].kind = 'COUNTRY'), 'parties[0] kind'],
    ['agreement kind', (w) => void (w.agreements[0].kind = 'TREATY'), 'agreements[0] kind'],
    ['agreement status', (w) => void (w.agreements[0].status = 'ACTIVE'), 'agreements[0] status'],
    ['grant purpose', (w) => void (w.agreements[0].grants[0].purpose = 'MARKETING'), 'agreements[0] grants[0].purpose'],
    ['grant subjectScope', (w) => void (w.agreements[0].grants[0].subjectScope = 'EVERYONE'), 'agreements[0] grants[0].subjectScope'],
    ['grant category key', (w) => void (w.agreements[0].grants[0].categories.SHOE_SIZE = 'FULL'), 'agreements[0] grants[0].categories.SHOE_SIZE'],
    ['grant access level', (w) => void (w.agreements[0].grants[0].categories.IDENTITY = 'SOME'), 'agreements[0] grants[0].categories.IDENTITY'],
    ['grant access level in lower case', (w) => void (w.agreements[0].grants[0].categories.IDENTITY = 'full'), 'agreements[0] grants[0].categories.IDENTITY'],
    ['grant special category', (w) => void (w.agreements[0].grants[0].specialCategories = ['GENETIC']), 'agreements[0] grants[0].specialCategories[0]'],
    ['migrant sex', (w) => void (w.migrants[0].sex = 'Q'), 'migrants[0] sex'],
    ['migrant legalStatus', (w) => void (w.migrants[0].legalStatus = 'TOURIST'), 'migrants[0] legalStatus'],
    ['document type', (w) => void (w.migrants[0].documents[0].type = 'LIBRARY_CARD'), 'migrants[0] documents[0].type'],
    ['vulnerability', (w) => void (w.migrants[0].health.vulnerabilities = ['TALL']), 'migrants[0] health.vulnerabilities[0]'],
    ['victim status', (w) => void (w.migrants[0].victimStatus.status = 'MAYBE'), 'migrants[0] victimStatus.status'],
    ['exploitation type', (w) => void (w.migrants[0].victimStatus.exploitationType = 'FISHING'), 'migrants[0] victimStatus.exploitationType'],
    ['request purpose', (w) => void (w.dataRequests[0].purpose = 'CURIOSITY'), 'dataRequests[0] purpose'],
    ['request status', (w) => void (w.dataRequests[0].status = 'GRANTED'), 'dataRequests[0] status'],
    ['request category', (w) => void (w.dataRequests[0].categories = ['IDENTITY', 'RELIGION']), 'dataRequests[0] categories[1]'],
    ['consent purpose', (w) => void (w.consents[0].purpose = 'SIGHTSEEING'), 'consents[0] purpose'],
  ])('reports an unknown %s', (...c) => expectProblem(c));
});

describe('validateWorld: dates', () => {
  it.each<Case>([
    ['a day that does not exist', (w) => void (w.migrants[0].recordedAt = '2023-02-30'), 'migrants[0] recordedAt'],
    ['February 29 of a common year', (w) => void (w.migrants[0].dateOfBirth = '2023-02-29'), 'migrants[0] dateOfBirth'],
    ['month 13', (w) => void (w.migrants[0].dateOfBirth = '1999-13-01'), 'migrants[0] dateOfBirth'],
    ['no zero padding', (w) => void (w.agreements[0].effectiveFrom = '2024-1-1'), 'agreements[0] effectiveFrom'],
    ['a time of day', (w) => void (w.migrants[0].arrivalDate = '2024-11-03T10:00:00Z'), 'migrants[0] arrivalDate'],
    ['another notation', (w) => void (w.consents[0].givenAt = '05/11/2024'), 'consents[0] givenAt'],
    ['a timestamp number', (w) => void (w.dataRequests[0].submittedAt = 1_725_148_800_000), 'dataRequests[0] submittedAt'],
    ['a bad nullable date', (w) => void (w.agreements[0].expiresOn = '2030-02-31'), 'agreements[0] expiresOn'],
    ['a bad document expiry', (w) => void (w.migrants[0].documents[0].expiresOn = '2029-00-10'), 'migrants[0] documents[0].expiresOn'],
    ['a bad identification date', (w) => void (w.migrants[0].victimStatus.identifiedOn = '2024-11-31'), 'migrants[0] victimStatus.identifiedOn'],
    ['a bad withdrawal date', (w) => void (w.consents[1].withdrawnAt = 'yesterday'), 'consents[1] withdrawnAt'],
  ])('reports %s', (...c) => expectProblem(c));

  it('accepts only dates the importer can convert', () => {
    const samples = ['1992-02-29', '2000-02-29', '1900-02-29', '2024-04-31', '0050-01-01', '9999-12-31', '2024-12-31', '+02024-01-01'];
    for (const date of samples) {
      const accepted = problemsAfter((w) => void (w.migrants[0].documents[0].expiresOn = date)).length === 0;
      expect([date, accepted]).toEqual([date, parseIsoDate(date) !== null]);
    }
  });

  it('accepts February 29 of a leap year', () => {
    expect(problemsAfter((w) => void (w.migrants[0].dateOfBirth = '1992-02-29'))).toEqual([]);
  });
});

describe('validateWorld: strings, integers, codes and ids', () => {
  it.each<Case>([
    ['an empty string', (w) => void (w.parties[0].name = ''), 'parties[0] name'],
    ['a blank string', (w) => void (w.migrants[0].givenName = '   '), 'migrants[0] givenName'],
    ['a NUL character', (w) => void (w.migrants[0].familyName = 'Oka\u0000for'), 'migrants[0] familyName'],
    ['a NUL character in a nested string', (w) => void (w.migrants[0].address.city = 'Pal\u0000ermo'), 'migrants[0] address.city'],
    ['a name over 200 characters', (w) => void (w.migrants[0].givenName = 'x'.repeat(201)), 'migrants[0] givenName'],
    ['a title over 500 characters', (w) => void (w.agreements[0].title = 'x'.repeat(501)), 'agreements[0] title'],
    ['a justification over 2000 characters', (w) => void (w.dataRequests[0].justification = 'x'.repeat(2001)), 'dataRequests[0] justification'],
    ['evidence over 500 characters', (w) => void (w.consents[0].evidence = 'x'.repeat(501)), 'consents[0] evidence'],
    ['an empty health condition', (w) => void (w.migrants[0].health.conditions = ['']), 'migrants[0] health.conditions[0]'],
    ['minCellSize 0', (w) => void (w.agreements[0].minCellSize = 0), 'agreements[0] minCellSize'],
    ['retentionDays 0', (w) => void (w.agreements[0].retentionDays = 0), 'agreements[0] retentionDays'],
    ['negative retentionDays', (w) => void (w.agreements[0].retentionDays = -30), 'agreements[0] retentionDays'],
    ['a conviction year before 1900', (w) => void (w.migrants[2].criminalRecord.convictions[0].year = 1899), 'migrants[2] criminalRecord.convictions[0].year'],
    ['a conviction year after this year', (w) => void (w.migrants[2].criminalRecord.convictions[0].year = 2027), 'migrants[2] criminalRecord.convictions[0].year'],
    ['a fractional conviction year', (w) => void (w.migrants[2].criminalRecord.convictions[0].year = 2020.5), 'migrants[2] criminalRecord.convictions[0].year'],
    ['a lower-case party code', (w) => void (w.parties[4].code = 'iom'), 'parties[4] code'],
    ['a one-letter party code', (w) => void (w.parties[4].code = 'I'), 'parties[4] code'],
    ['an 11-character party code', (w) => void (w.parties[4].code = 'ORGANISATN1'), 'parties[4] code'],
    ['a party code with punctuation', (w) => void (w.migrants[0].holder = 'IT-A'), 'migrants[0] holder'],
    ['a two-letter nationality', (w) => void (w.migrants[0].nationality = 'NG'), 'migrants[0] nationality'],
    ['a country name as nationality', (w) => void (w.migrants[0].nationality = 'Nigeria'), 'migrants[0] nationality'],
    ['a lower-case issuing country', (w) => void (w.migrants[0].documents[0].issuingCountry = 'nga'), 'migrants[0] documents[0].issuingCountry'],
    ['a numeric address country', (w) => void (w.migrants[0].address.country = '380'), 'migrants[0] address.country'],
    ['a bad conviction country', (w) => void (w.migrants[2].criminalRecord.convictions[0].country = 'LY'), 'migrants[2] criminalRecord.convictions[0].country'],
    ['an id with a space', (w) => void (w.migrants[11].id = 'm 0012'), 'migrants[11] id'],
    ['an id starting with punctuation', (w) => void (w.dataRequests[0].id = '-req'), 'dataRequests[0] id'],
    ['an id of 129 characters', (w) => void (w.agreements[0].id = 'A'.repeat(129)), 'agreements[0] id'],
    ['a bad agreementId', (w) => void (w.dataRequests[0].agreementId = 'AGR/1'), 'dataRequests[0] agreementId'],
    ['a bad subject id', (w) => void (w.dataRequests[0].subjectIds = ['m-0003', '../m']), 'dataRequests[0] subjectIds[1]'],
    ['a bad family id', (w) => void (w.migrants[0].familyIds = [42]), 'migrants[0] familyIds[0]'],
    ['a bad consent migrantId', (w) => void (w.consents[0].migrantId = ''), 'consents[0] migrantId'],
  ])('reports %s', (...c) => expectProblem(c));

  it.each<[string, (w: RawWorld) => void]>([
    ['organisation party codes of 2-10 letters or digits', (w) => {
      w.parties.push({ code: 'UNHCR', name: 'UNHCR', kind: 'ORGANISATION' }, { code: 'EU', name: 'European Union', kind: 'ORGANISATION' });
      w.agreements[0].parties.push('UNHCR', 'EU');
    }],
    ['ids with . _ : -', (w) => {
      w.migrants[11].id = 'ITA:2012.04_m-12';
    }],
    ['a 200-character name and a 2000-character justification', (w) => {
      w.migrants[0].givenName = 'x'.repeat(200);
      w.dataRequests[0].justification = 'x'.repeat(2000);
    }],
    ['minCellSize 1 and retentionDays 1', (w) => Object.assign(w.agreements[0], { minCellSize: 1, retentionDays: 1 })],
    ['conviction years 1900 and this year', (w) => {
      w.migrants[2].criminalRecord.convictions.push({ offence: 'THEFT', year: 1900, country: 'ITA' }, { offence: 'THEFT', year: 2026, country: 'ITA' });
    }],
    ['null in every nullable migrant field', (w) => {
      const nullable = ['givenName', 'familyName', 'dateOfBirth', 'sex', 'nationality', 'placeOfBirth', 'address', 'legalStatus', 'arrivalDate',
        'biometrics', 'health', 'ethnicOrigin', 'religion', 'criminalRecord', 'victimStatus'];
      for (const field of nullable) w.migrants[0][field] = null;
    }],
    ['null in nullable nested fields', (w) => {
      w.migrants[0].address = { line1: null, city: null, region: null, postalCode: null, country: null };
      w.migrants[0].documents[0].expiresOn = null;
      w.migrants[0].biometrics = { fingerprintTemplate: null, faceTemplate: null };
      w.migrants[0].victimStatus = { status: 'NOT_A_VICTIM', identifiedOn: null, exploitationType: null };
    }],
    ['empty documents, familyIds, grants, specialCategories, conditions and convictions', (w) => {
      w.migrants[0].documents = [];
      w.migrants[1].familyIds = [];
      w.migrants[0].familyIds = [];
      w.migrants[0].health = { conditions: [], vulnerabilities: [] };
      w.migrants[2].criminalRecord = { convictions: [] };
      w.agreements[2].grants = [];
      w.agreements[0].grants[0].specialCategories = [];
      w.agreements[0].grants[0].categories = {};
    }],
    ['decisionNote and evidence, as strings or null', (w) => {
      w.dataRequests[0].decisionNote = 'Approved for the named subject only.';
      w.dataRequests[1].decisionNote = null;
      w.consents[0].evidence = 'signed form SD-1 (scan 2024-11-05)';
      w.consents[1].evidence = null;
    }],
    ['a WITHDRAWN request that was never decided', (w) => Object.assign(w.dataRequests[1], { status: 'WITHDRAWN' })],
    ['a DENIED request without validUntil', (w) => Object.assign(w.dataRequests[1], { status: 'DENIED', decidedAt: '2025-10-02' })],
    ['an EXPIRED request', (w) => Object.assign(w.dataRequests[2], { status: 'EXPIRED' })],
    ['an agreement that expires on the day it takes effect', (w) => void (w.agreements[0].expiresOn = '2024-01-01')],
    ['arrival on the day of birth, decision on the day of submission', (w) => {
      w.migrants[0].arrivalDate = w.migrants[0].dateOfBirth;
      w.dataRequests[0].decidedAt = w.dataRequests[0].submittedAt;
    }],
  ])('accepts %s', (_name, change) => {
    expect(problemsAfter(change)).toEqual([]);
  });
});

describe('validateWorld: unknown keys and prototype pollution', () => {
  it.each<Case>([
    ['in a party', (w) => void (w.parties[0].flag = 'IT'), 'parties[0] flag'],
    ['in an agreement', (w) => void (w.agreements[0].signedBy = 'x'), 'agreements[0] signedBy'],
    ['in a grant', (w) => void (w.agreements[0].grants[0].until = '2030-01-01'), 'agreements[0] grants[0].until'],
    ['a typo in a migrant', (w) => {
      w.migrants[0].familyname = w.migrants[0].familyName;
    }, 'migrants[0] familyname'],
    ['in an address', (w) => void (w.migrants[0].address.gps = '38.1,13.3'), 'migrants[0] address.gps'],
    ['in a document', (w) => void (w.migrants[0].documents[0].photo = 'x'), 'migrants[0] documents[0].photo'],
    ['in biometrics', (w) => void (w.migrants[0].biometrics.irisTemplate = 'x'), 'migrants[0] biometrics.irisTemplate'],
    ['in a health record', (w) => void (w.migrants[0].health.notes = 'x'), 'migrants[0] health.notes'],
    ['in a conviction', (w) => void (w.migrants[2].criminalRecord.convictions[0].sentence = '2y'), 'migrants[2] criminalRecord.convictions[0].sentence'],
    ['in a victim status', (w) => void (w.migrants[0].victimStatus.trafficker = 'x'), 'migrants[0] victimStatus.trafficker'],
    ['in a data request', (w) => void (w.dataRequests[0].priority = 'HIGH'), 'dataRequests[0] priority'],
    ['in a consent', (w) => void (w.consents[0].scope = 'ALL'), 'consents[0] scope'],
    ['the placeholder "..."', (w) => void (w.migrants[0]['...'] = '...'), 'migrants[0] ...'],
    ['constructor', (w) => void (w.parties[0].constructor = { prototype: {} }), 'parties[0] constructor'],
    ['prototype', (w) => void (w.consents[0].prototype = {}), 'consents[0] prototype'],
  ])('reports an unknown key %s', (...c) => expectProblem(c));

  it.each<[string, string, string]>([
    ['at the top level', '{"__proto__": {"polluted": true}, "parties": []}', '(root) __proto__'],
    ['in a record', '{"parties": [{"code": "ITA", "name": "Italy", "kind": "STATE", "__proto__": {"polluted": true}}]}', 'parties[0] __proto__'],
    ['in a nested object', '{"parties": [{"code": "ITA", "name": "Italy", "kind": "STATE"}], "migrants": [' +
      '{"id": "m-1", "holder": "ITA", "recordedAt": "2025-01-01", "givenName": null, "familyName": null, "dateOfBirth": null, "sex": null,' +
      ' "nationality": null, "placeOfBirth": null, "address": {"__proto__": {"polluted": true}}, "documents": [], "legalStatus": null,' +
      ' "arrivalDate": null, "familyIds": [], "biometrics": null, "health": null, "ethnicOrigin": null, "religion": null,' +
      ' "criminalRecord": null, "victimStatus": null}]}', 'migrants[0] address.__proto__'],
    ['among grant categories', '{"agreements": [{"id": "A", "title": "t", "kind": "MOU", "parties": ["ITA", "ESP"], "status": "DRAFT",' +
      ' "effectiveFrom": "2024-01-01", "expiresOn": null, "minCellSize": 5, "retentionDays": 30, "grants": [{"purpose": "STATISTICS",' +
      ' "subjectScope": "ALL_HELD_BY_PARTIES", "categories": {"__proto__": "FULL"}, "specialCategories": []}]}]}', 'agreements[0] grants[0].categories.__proto__'],
  ])('reports a __proto__ key %s and pollutes nothing', (_name, text, where) => {
    const result = validateWorld(JSON.parse(text), 'w.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual(at(where));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('builds the returned world from fresh objects, independent of the input', () => {
    const input = fixture();
    const result = validateWorld(input, 'w.json');
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const { world } = result;
    expect(world.migrants[0]).not.toBe(input.migrants[0]);
    expect(world.migrants[0]!.address).not.toBe(input.migrants[0].address);
    expect(world.migrants[0]!.documents).not.toBe(input.migrants[0].documents);
    expect(world.agreements[0]!.grants[0]!.categories).not.toBe(input.agreements[0].grants[0].categories);
    expect(world.dataRequests[0]!.subjectIds).not.toBe(input.dataRequests[0].subjectIds);
    input.migrants[0].address.city = 'Changed';
    input.agreements[0].parties.push('NGA');
    expect(world.migrants[0]!.address!.city).toBe('Palermo');
    expect(world.agreements[0]!.parties).toEqual(['ITA', 'ESP', 'GRC', 'IOM']);
    expect(Object.getPrototypeOf(world.migrants[0])).toBe(Object.prototype);
  });

  it('does not read inherited properties as fields', () => {
    const party = Object.assign(Object.create({ kind: 'STATE' }) as object, { code: 'ITA', name: 'Italy' });
    const result = validateWorld({ parties: [party] }, 'w.json');
    expect(result.ok).toBe(false);
  });
});

describe('validateWorld: duplicates (the second occurrence is named)', () => {
  it.each<Case>([
    ['party code', (w) => void w.parties.push({ code: 'ITA', name: 'Italia', kind: 'STATE' }), 'parties[5] code'],
    ['agreement id', (w) => void w.agreements.push({ ...fixture().agreements[3] }), 'agreements[4] id'],
    ['migrant id', (w) => void (w.migrants[4].id = 'm-0001'), 'migrants[4] id'],
    ['data request id', (w) => void (w.dataRequests[2].id = 'req-0001'), 'dataRequests[2] id'],
    ['consent (migrantId, purpose, givenAt)', (w) => void w.consents.push({ ...w.consents[0], withdrawnAt: '2025-01-01' }), 'consents[3] givenAt'],
  ])('reports a duplicate %s', (...c) => {
    const problems = problemsAfter(c[1]);
    expect(problems).toEqual([at(c[2])]);
    expect(problems[0]!.message).toMatch(/^duplicate of \w+\[\d+\]/);
  });

  it('accepts consents that differ in purpose or givenAt', () => {
    expect(problemsAfter((w) => {
      w.consents.push({ ...w.consents[0], purpose: 'ANTI_TRAFFICKING' }, { ...w.consents[0], givenAt: '2025-01-01' });
    })).toEqual([]);
  });

  it('finds duplicates even when the first occurrence has other problems', () => {
    const problems = problemsAfter((w) => {
      w.migrants[0].sex = 'Q';
      w.migrants[4].id = 'm-0001';
    });
    expect(problems).toEqual([at('migrants[0] sex'), at('migrants[4] id')]);
  });
});

describe('validateWorld: references', () => {
  it.each<Case>([
    ['an unknown holder', (w) => void (w.migrants[0].holder = 'FRA'), 'migrants[0] holder'],
    ['an unknown agreement party', (w) => void (w.agreements[0].parties = ['ITA', 'FRA']), 'agreements[0] parties[1]'],
    ['an unknown family member', (w) => void (w.migrants[2].familyIds = ['m-9999']), 'migrants[2] familyIds[0]'],
    ['an unknown agreement of a request', (w) => void (w.dataRequests[0].agreementId = 'AGR-NOPE'), 'dataRequests[0] agreementId'],
    ['an unknown requesting party', (w) => void (w.dataRequests[0].requestingParty = 'FRA'), 'dataRequests[0] requestingParty'],
    ['an unknown requested party', (w) => void (w.dataRequests[0].requestedParty = 'FRA'), 'dataRequests[0] requestedParty'],
    ['an unknown subject', (w) => void (w.dataRequests[0].subjectIds = ['m-0003', 'm-9999']), 'dataRequests[0] subjectIds[1]'],
    ['a consent for an unknown migrant', (w) => void (w.consents[0].migrantId = 'm-9999'), 'consents[0] migrantId'],
  ])('reports %s', (...c) => {
    const problems = problemsAfter(c[1]);
    expect(problems).toEqual([at(c[2])]);
    expect(problems[0]!.message).toMatch(/^unknown (party|agreement|migrant) /);
  });

  it.each<Case>([
    ['a migrant who is their own family member', (w) => void (w.migrants[0].familyIds = ['m-0002', 'm-0001']), 'migrants[0] familyIds[1]'],
    ['a repeated family member', (w) => void (w.migrants[0].familyIds = ['m-0002', 'm-0002']), 'migrants[0] familyIds[1]'],
    ['a requesting party that is not a party to the agreement', (w) => void (w.dataRequests[0].requestingParty = 'ESP'), 'dataRequests[0] requestingParty'],
    ['a requested party that is not a party to the agreement', (w) => void (w.dataRequests[0].requestedParty = 'IOM'), 'dataRequests[0] requestedParty'],
    ['a request to oneself', (w) => void (w.dataRequests[0].requestedParty = 'NGA'), 'dataRequests[0] requestedParty'],
    ['a request for a purpose the agreement has no grant for', (w) => void (w.dataRequests[0].purpose = 'STATISTICS'), 'dataRequests[0] purpose'],
    ['a request with no subjects', (w) => void (w.dataRequests[0].subjectIds = []), 'dataRequests[0] subjectIds'],
    ['a request naming a subject twice', (w) => void (w.dataRequests[0].subjectIds = ['m-0003', 'm-0003']), 'dataRequests[0] subjectIds[1]'],
  ])('reports %s', (...c) => expectProblem(c));

  it('keeps each bad reference at its position in the file', () => {
    const problems = problemsAfter((w) => void (w.migrants[0].familyIds = ['bad id', 'm-0002', 'm-0001', 'm-9999']));
    expect(problems).toEqual([at('migrants[0] familyIds[0]'), at('migrants[0] familyIds[2]'), at('migrants[0] familyIds[3]')]);
  });

  it('checks references of records that have other problems', () => {
    const problems = problemsAfter((w) => Object.assign(w.migrants[0], { sex: 'Q', holder: 'FRA' }));
    expect(problems).toEqual([at('migrants[0] sex'), at('migrants[0] holder')]);
  });

  it('accepts references to ids already stored (options.existing)', () => {
    const world = {
      migrants: [{ ...fixture().migrants[0], familyIds: ['m-0500'] }],
      dataRequests: [{ ...fixture().dataRequests[0], agreementId: 'AGR-STORED', subjectIds: ['m-0001', 'm-0600'] }],
      consents: [{ migrantId: 'm-0600', purpose: 'SERVICE_DELIVERY', givenAt: '2025-01-01', withdrawnAt: null }],
    };
    const without = validateWorld(world, 'w.json');
    expect(without.ok ? [] : without.problems.map((p) => `${p.collection}[${p.index}] ${p.field}`)).toEqual([
      'migrants[0] holder',
      'migrants[0] familyIds[0]',
      'dataRequests[0] agreementId',
      'dataRequests[0] requestingParty',
      'dataRequests[0] requestedParty',
      'dataRequests[0] subjectIds[1]',
      'consents[0] migrantId',
    ]);
    const existing: ExistingIds = {
      parties: new Set(['ITA', 'NGA']),
      agreements: new Set(['AGR-STORED']),
      migrants: new Set(['m-0500', 'm-0600']),
    };
    expect(validateWorld(world, 'w.json', { existing }).ok).toBe(true);
  });
});

describe('validateWorld: semantic rules', () => {
  it.each<Case>([
    ['an agreement that expires before it takes effect', (w) => void (w.agreements[0].expiresOn = '2023-12-31'), 'agreements[0] expiresOn'],
    ['an agreement with one party', (w) => void (w.agreements[3].parties = ['ESP']), 'agreements[3] parties'],
    ['an agreement with no parties', (w) => void (w.agreements[3].parties = []), 'agreements[3] parties'],
    ['an agreement naming a party twice', (w) => void (w.agreements[3].parties = ['ESP', 'IOM', 'ESP']), 'agreements[3] parties[2]'],
    ['two grants for one purpose', (w) => void w.agreements[1].grants.push({ ...w.agreements[1].grants[0] }), 'agreements[1] grants[2].purpose'],
    ['a special category listed twice', (w) => void (w.agreements[0].grants[0].specialCategories = ['HEALTH', 'HEALTH']), 'agreements[0] grants[0].specialCategories[1]'],
    ['grant categories that are not an object', (w) => void (w.agreements[0].grants[0].categories = ['IDENTITY']), 'agreements[0] grants[0].categories'],
    ['APPROVED without decidedAt', (w) => void (w.dataRequests[0].decidedAt = null), 'dataRequests[0] decidedAt'],
    ['APPROVED without validUntil', (w) => void (w.dataRequests[0].validUntil = null), 'dataRequests[0] validUntil'],
    ['EXPIRED without validUntil', (w) => Object.assign(w.dataRequests[0], { status: 'EXPIRED', validUntil: null }), 'dataRequests[0] validUntil'],
    ['DENIED without decidedAt', (w) => Object.assign(w.dataRequests[0], { status: 'DENIED', decidedAt: null, validUntil: null }), 'dataRequests[0] decidedAt'],
    ['PENDING with decidedAt', (w) => void (w.dataRequests[1].decidedAt = '2025-10-02'), 'dataRequests[1] decidedAt'],
    ['PENDING with validUntil', (w) => void (w.dataRequests[1].validUntil = '2026-10-02'), 'dataRequests[1] validUntil'],
    ['a decision before submission', (w) => void (w.dataRequests[0].decidedAt = '2025-08-31'), 'dataRequests[0] decidedAt'],
    ['validity ending before the decision', (w) => void (w.dataRequests[0].validUntil = '2025-09-02'), 'dataRequests[0] validUntil'],
    ['a request with no categories', (w) => void (w.dataRequests[0].categories = []), 'dataRequests[0] categories'],
    ['a request naming a category twice', (w) => void (w.dataRequests[0].categories = ['IDENTITY', 'IDENTITY']), 'dataRequests[0] categories[1]'],
    ['a consent withdrawn before it was given', (w) => void (w.consents[1].withdrawnAt = '2022-05-11'), 'consents[1] withdrawnAt'],
    ['an arrival before birth', (w) => void (w.migrants[0].arrivalDate = '1994-07-11'), 'migrants[0] arrivalDate'],
    ['a vulnerability listed twice', (w) => void (w.migrants[0].health.vulnerabilities = ['PREGNANT', 'PREGNANT']), 'migrants[0] health.vulnerabilities[1]'],
    ['a victim status without a status', (w) => void (w.migrants[0].victimStatus = { identifiedOn: null, exploitationType: null }), 'migrants[0] victimStatus.status'],
  ])('reports %s', (...c) => expectProblem(c));

  it('takes the latest conviction year from options.now', () => {
    const world = fixture();
    world.migrants[2].criminalRecord.convictions[0].year = 2026;
    expect(validateWorld(world, 'w.json', { now: new Date('2026-01-01T00:00:00Z') }).ok).toBe(true);
    expect(validateWorld(world, 'w.json', { now: new Date('2025-12-31T23:59:59Z') }).ok).toBe(false);
  });
});

describe('formatProblems', () => {
  it('writes one line per problem: file, collection[index], id, field, message', () => {
    const problems = problemsAfter((w) => {
      w.migrants[3].dateOfBirth = '1999-13-40';
      w.dataRequests[2].agreementId = 'AGR-NOPE';
    });
    expect(formatProblems(problems)).toBe(
      [
        'w.json: migrants[3] (id m-0004) field dateOfBirth: must be an ISO 8601 date YYYY-MM-DD, got "1999-13-40"',
        'w.json: dataRequests[2] (id req-0003) field agreementId: unknown agreement AGR-NOPE (not in this file nor stored)',
      ].join('\n'),
    );
  });

  it('leaves out the index and id where there are none', () => {
    const result = validateWorld({ people: [], parties: 'ITA' }, 'w.json');
    expect(result.ok ? '' : formatProblems(result.problems)).toBe(
      [
        'w.json: (root) field people: unknown top-level key (expected parties, agreements, migrants, dataRequests, consents, trust)',
        'w.json: parties field (collection): must be an array, got "ITA"',
      ].join('\n'),
    );
  });

  it('names a consent by migrantId|purpose|givenAt', () => {
    const problems = problemsAfter((w) => void (w.consents[1].withdrawnAt = '2022-01-01'));
    expect(formatProblems(problems)).toBe(
      'w.json: consents[1] (id m-0004|SERVICE_DELIVERY|2022-05-12) field withdrawnAt: must not be before givenAt (2022-05-12), got 2022-01-01',
    );
  });

  it('gives an empty string for no problems', () => {
    expect(formatProblems([])).toBe('');
  });
});

// ---------------------------------------------------------------------------
// The trust registry (collection `trust`)

/** Keys made here, so no key material is stored in the repository (but the certificate). */
const spki = (pair: KeyPairKeyObjectResult): string => pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const pkcs8 = (pair: KeyPairKeyObjectResult): string => pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PEM = spki(RSA);
const EC_PEM = spki(EC);
/** A self-signed X.509 certificate of a P-256 key (a test certificate, valid until 2126). */
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBsjCCAVegAwIBAgIUCUj4dOsVMhmi2+FQZZfTTtPTT1IwCgYIKoZIzj0EAwIw
LTErMCkGA1UEAwwidHJlYXR5Z2F0ZSB0ZXN0IHBpbm5lZCBjZXJ0aWZpY2F0ZTAg
Fw0yNjEyMDYwNDA0NDdaGA8yMTI2MTExMjA0MDQ0N1owLTErMCkGA1UEAwwidHJl
YXR5Z2F0ZSB0ZXN0IHBpbm5lZCBjZXJ0aWZpY2F0ZTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABB9nxelGtSpgAMfrMJ61EZDzEKA1ewdQCYLUzc3IvJNVPYuXrWpL
Df/57NXvZQOJv6OuuEfIGOaV7vF5C2TApJajUzBRMB0GA1UdDgQWBBT8UFkJq0nn
SyXpLqZtWcV5a2csZTAfBgNVHSMEGDAWgBT8UFkJq0nnSyXpLqZtWcV5a2csZTAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCjfpqRUTKiJLHbhvUd
Pzt0nR4Kfh/fDF4vKACzf2qftgIhAMUv+2dH9z4PczxoxC+A9Owf7dfNYUYCfXSe
WpVZOJ6S
-----END CERTIFICATE-----
`;
const PASSWORD = 's3cret-jwks-password';

const jwksProvider = (extra: Json = {}): Json => ({
  issuer: 'https://idp.interno.it',
  audience: 'treatygate',
  jwksUrl: 'https://idp.interno.it/jwks.json',
  ...extra,
});
const pinnedProvider = (publicKeys: unknown, extra: Json = {}): Json => ({ issuer: 'ita-hsm', audience: 'treatygate', publicKeys, ...extra });
const trustEntry = (identityProviders: unknown, extra: Json = {}): Json => ({ party: 'ITA', identityProviders, ...extra });

/** Problems of the fixture with `trust` as its trust registry. */
function trustProblems(trust: Json[], existing?: ExistingIds): ImportProblem[] {
  return problemsAfter((w) => void (w.trust = trust), existing);
}

/** No message, nor the printed report, quotes key material (PEM armour or base64 runs). */
function expectNoKeyMaterial(problems: ImportProblem[]): void {
  for (const text of [...problems.map((p) => p.message), formatProblems(problems)]) {
    expect(text).not.toMatch(/-----|BEGIN|[A-Za-z0-9+/=]{20,}/);
    expect(text).not.toContain(PASSWORD);
  }
}

/** [name, trust entries, the one problem's location, its message (a pattern)]. */
type TrustCase = [name: string, trust: () => Json[], where: string, message: RegExp];

describe('validateWorld: the trust registry', () => {
  it('accepts an entry whose provider publishes a JWKS, with the defaults filled in', () => {
    const result = validateWorld({ ...fixture(), trust: [trustEntry([jwksProvider()])] }, 'w.json', { now: NOW });
    expect(result.ok ? result.world.trust : result.problems).toEqual([
      {
        party: 'ITA',
        requireDpop: false,
        identityProviders: [
          { issuer: 'https://idp.interno.it', audience: 'treatygate', jwksUrl: 'https://idp.interno.it/jwks.json', publicKeys: [], algorithms: ['RS256', 'ES256'] },
        ],
      },
    ]);
  });

  it('accepts pinned RSA and EC keys and certificates, kept as written', () => {
    const trust = [
      trustEntry([jwksProvider(), pinnedProvider([RSA_PEM, EC_PEM, CERT_PEM])], { requireDpop: true }),
      { party: 'ESP', identityProviders: [pinnedProvider([EC_PEM, CERT_PEM], { issuer: 'esp-hsm', algorithms: ['ES256'] })] },
    ];
    const result = validateWorld({ ...fixture(), trust }, 'w.json', { now: NOW });
    expect(result.ok ? result.world.trust : result.problems).toEqual([
      {
        party: 'ITA',
        requireDpop: true,
        identityProviders: [
          { issuer: 'https://idp.interno.it', audience: 'treatygate', jwksUrl: 'https://idp.interno.it/jwks.json', publicKeys: [], algorithms: ['RS256', 'ES256'] },
          { issuer: 'ita-hsm', audience: 'treatygate', jwksUrl: null, publicKeys: [RSA_PEM, EC_PEM, CERT_PEM], algorithms: ['RS256', 'ES256'] },
        ],
      },
      {
        party: 'ESP',
        requireDpop: false,
        identityProviders: [{ issuer: 'esp-hsm', audience: 'treatygate', jwksUrl: null, publicKeys: [EC_PEM, CERT_PEM], algorithms: ['ES256'] }],
      },
    ]);
  });

  it.each(['http://localhost:8080/jwks.json', 'http://127.0.0.1/jwks', 'http://[::1]:9000/.well-known/jwks.json', 'https://idp.example:8443/k?v=2'])(
    'accepts the JWKS address %s',
    (jwksUrl) => expect(trustProblems([trustEntry([jwksProvider({ jwksUrl })])])).toEqual([]),
  );

  it('accepts a party with no identity providers (nobody speaks for it), and requireDpop false', () => {
    expect(trustProblems([trustEntry([], { requireDpop: false })])).toEqual([]);
  });

  it('accepts an entry for a party that is only stored (options.existing)', () => {
    const existing: ExistingIds = { parties: new Set(['FRA']), agreements: new Set(), migrants: new Set() };
    expect(trustProblems([{ party: 'FRA', identityProviders: [jwksProvider()] }], existing)).toEqual([]);
  });

  it('validates a validated world written back out to the same world (jwksUrl null, publicKeys [])', () => {
    const input = { ...fixture(), trust: [trustEntry([jwksProvider(), pinnedProvider([RSA_PEM])])] };
    const first = validateWorld(input, 'w.json', { now: NOW });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const again = validateWorld(JSON.parse(JSON.stringify(first.world)), 'w.json', { now: NOW });
    expect(again).toEqual(first);
  });

  it('lists trust problems after those of every other collection', () => {
    const problems = problemsAfter((w) => {
      w.trust = [{ party: 'FRA', identityProviders: [] }];
      w.consents[1].purpose = 'SIGHTSEEING';
      w.parties[0].kind = 'CITY';
    });
    expect(problems).toEqual([at('parties[0] kind'), at('consents[1] purpose'), at('trust[0] party')]);
    expect(problems[2]).toMatchObject({ id: 'FRA', message: expect.stringMatching(/^unknown party FRA/) });
  });

  const lines = (pem: string): string => pem.replace(/\n/g, '\r\n');
  const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

  it.each<TrustCase>([
    // The entry
    ['a record that is not an object', () => ['ITA'], 'trust[0] (record)', /must be an object/],
    ['an unknown field of the entry', () => [trustEntry([], { trusted: true })], 'trust[0] trusted', /unknown field/],
    ['a missing party', () => [{ identityProviders: [] }], 'trust[0] party', /is required/],
    ['a party that is not a party code', () => [trustEntry([], { party: 'ita' })], 'trust[0] party', /party code/],
    ['a party neither in the file nor stored', () => [trustEntry([], { party: 'FRA' })], 'trust[0] party', /^unknown party FRA/],
    ['a second entry for a party', () => [trustEntry([]), trustEntry([jwksProvider()])], 'trust[1] party', /^duplicate of trust\[0\] \(ITA\)/],
    ['requireDpop that is a string', () => [trustEntry([], { requireDpop: 'yes' })], 'trust[0] requireDpop', /true or false/],
    ['requireDpop null', () => [trustEntry([], { requireDpop: null })], 'trust[0] requireDpop', /true or false/],
    ['missing identityProviders', () => [{ party: 'ITA' }], 'trust[0] identityProviders', /is required/],
    ['identityProviders that is an object', () => [trustEntry({})], 'trust[0] identityProviders', /must be an array/],
    ['21 identity providers', () => [trustEntry(many(21, (i) => jwksProvider({ issuer: `idp-${i}` })))], 'trust[0] identityProviders', /at most 20/],
    ['a provider that is not an object', () => [trustEntry([RSA_PEM])], 'trust[0] identityProviders[0]', /must be an object, got a string of \d+ characters \(not quoted\)/],
    ['an unknown field of a provider', () => [trustEntry([jwksProvider({ privateKey: pkcs8(RSA) })])], 'trust[0] identityProviders[0].privateKey', /unknown field/],
    // Issuer and audience
    ['a missing issuer', () => [trustEntry([jwksProvider({ issuer: undefined })])], 'trust[0] identityProviders[0].issuer', /is required/],
    ['a blank issuer', () => [trustEntry([jwksProvider({ issuer: ' ' })])], 'trust[0] identityProviders[0].issuer', /blank/],
    ['an issuer with NUL', () => [trustEntry([jwksProvider({ issuer: 'idp\u0000' })])], 'trust[0] identityProviders[0].issuer', /NUL/],
    ['an issuer of 501 characters', () => [trustEntry([jwksProvider({ issuer: 'i'.repeat(501) })])], 'trust[0] identityProviders[0].issuer', /at most 500/],
    ['an issuer that is a number', () => [trustEntry([jwksProvider({ issuer: 7 })])], 'trust[0] identityProviders[0].issuer', /must be a string/],
    ['an issuer listed twice', () => [trustEntry([jwksProvider(), pinnedProvider([EC_PEM], { issuer: 'https://idp.interno.it' })])], 'trust[0] identityProviders[1].issuer', /^duplicate of identityProviders\[0\]\.issuer/],
    ['a missing audience', () => [trustEntry([jwksProvider({ audience: undefined })])], 'trust[0] identityProviders[0].audience', /is required/],
    ['an empty audience', () => [trustEntry([jwksProvider({ audience: '' })])], 'trust[0] identityProviders[0].audience', /blank/],
    ['an audience of 501 characters', () => [trustEntry([jwksProvider({ audience: 'a'.repeat(501) })])], 'trust[0] identityProviders[0].audience', /at most 500/],
    // Where the keys are
    ['neither jwksUrl nor publicKeys', () => [trustEntry([{ issuer: 'i', audience: 'a' }])], 'trust[0] identityProviders[0]', /exactly one of jwksUrl and publicKeys, got neither/],
    ['jwksUrl null and publicKeys empty', () => [trustEntry([{ issuer: 'i', audience: 'a', jwksUrl: null, publicKeys: [] }])], 'trust[0] identityProviders[0]', /exactly one of jwksUrl and publicKeys, got neither/],
    ['both jwksUrl and publicKeys', () => [trustEntry([jwksProvider({ publicKeys: [RSA_PEM] })])], 'trust[0] identityProviders[0]', /exactly one of jwksUrl and publicKeys, got both/],
    ['a relative jwksUrl', () => [trustEntry([jwksProvider({ jwksUrl: '/jwks.json' })])], 'trust[0] identityProviders[0].jwksUrl', /absolute URL/],
    ['a jwksUrl over http to another host', () => [trustEntry([jwksProvider({ jwksUrl: 'http://idp.interno.it/jwks.json' })])], 'trust[0] identityProviders[0].jwksUrl', /https:/],
    ['a jwksUrl over http to a look-alike of localhost', () => [trustEntry([jwksProvider({ jwksUrl: 'http://localhost.evil.example/jwks' })])], 'trust[0] identityProviders[0].jwksUrl', /https:/],
    ['a jwksUrl of another scheme', () => [trustEntry([jwksProvider({ jwksUrl: 'file:///etc/jwks.json' })])], 'trust[0] identityProviders[0].jwksUrl', /https:/],
    ['a jwksUrl with credentials', () => [trustEntry([jwksProvider({ jwksUrl: `https://user:${PASSWORD}@idp.interno.it/jwks` })])], 'trust[0] identityProviders[0].jwksUrl', /credentials/],
    ['a jwksUrl that is a number', () => [trustEntry([jwksProvider({ jwksUrl: 443 })])], 'trust[0] identityProviders[0].jwksUrl', /must be a string/],
    ['publicKeys that is a string', () => [trustEntry([pinnedProvider(RSA_PEM)])], 'trust[0] identityProviders[0].publicKeys', /must be an array, got a string of \d+ characters \(not quoted\)/],
    ['requireDpop that is bare base64', () => [trustEntry([], { requireDpop: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' })], 'trust[0] requireDpop', /got a string of 44 characters \(not quoted\)/],
    ['11 pinned keys', () => [trustEntry([pinnedProvider(many(11, () => RSA_PEM))])], 'trust[0] identityProviders[0].publicKeys', /at most 10/],
    ['a pinned key that is a number', () => [trustEntry([pinnedProvider([RSA_PEM, 5])])], 'trust[0] identityProviders[0].publicKeys[1]', /must be a string/],
    ['a pinned key listed twice', () => [trustEntry([pinnedProvider([RSA_PEM, EC_PEM, RSA_PEM])])], 'trust[0] identityProviders[0].publicKeys[2]', /^duplicate of publicKeys\[0\]/],
    ['a pinned key twice in two spellings', () => [trustEntry([pinnedProvider([EC_PEM, lines(EC_PEM)])])], 'trust[0] identityProviders[0].publicKeys[1]', /^duplicate of publicKeys\[0\]/],
    ['a pinned key that is not a PEM', () => [trustEntry([pinnedProvider(['not a key at all'])])], 'trust[0] identityProviders[0].publicKeys[0]', /PUBLIC KEY.*CERTIFICATE/],
    ['a pinned key that is bare base64', () => [trustEntry([pinnedProvider([RSA_PEM.split('\n').slice(1, -2).join('')])])], 'trust[0] identityProviders[0].publicKeys[0]', /PUBLIC KEY.*CERTIFICATE/],
    ['a PEM whose content is not a key', () => [trustEntry([pinnedProvider(['-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n'])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a PEM that could not be read$/],
    ['a PEM with text before it', () => [trustEntry([pinnedProvider([`comment\n${RSA_PEM}`])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a PEM that could not be read/],
    ['a truncated PEM', () => [trustEntry([pinnedProvider([RSA_PEM.slice(0, 120)])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a PEM that could not be read/],
    ['a private key (PKCS #8)', () => [trustEntry([pinnedProvider([pkcs8(EC)])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a private key: only public keys belong in the registry$/],
    ['a private key (PKCS #1)', () => [trustEntry([pinnedProvider([RSA.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a private key/],
    ['a private key (SEC 1)', () => [trustEntry([pinnedProvider([EC.privateKey.export({ type: 'sec1', format: 'pem' }) as string])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a private key/],
    ['a public key followed by its private key', () => [trustEntry([pinnedProvider([RSA_PEM + pkcs8(RSA)])])], 'trust[0] identityProviders[0].publicKeys[0]', /^is a private key/],
    ['two public keys in one entry', () => [trustEntry([pinnedProvider([RSA_PEM + EC_PEM])])], 'trust[0] identityProviders[0].publicKeys[0]', /one PEM block, got 2/],
    ['a PKCS #1 RSA PUBLIC KEY', () => [trustEntry([pinnedProvider([RSA.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string])])], 'trust[0] identityProviders[0].publicKeys[0]', /labelled PUBLIC KEY or CERTIFICATE, got "RSA PUBLIC KEY"/],
    ['an RSA key of 1024 bits', () => [trustEntry([pinnedProvider([spki(generateKeyPairSync('rsa', { modulusLength: 1024 }))])])], 'trust[0] identityProviders[0].publicKeys[0]', /RSA key of 1024 bits: at least 2048/],
    ['an EC key on P-384', () => [trustEntry([pinnedProvider([spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }))])])], 'trust[0] identityProviders[0].publicKeys[0]', /EC key on "secp384r1": only P-256/],
    ['an Ed25519 key', () => [trustEntry([pinnedProvider([spki(generateKeyPairSync('ed25519'))])])], 'trust[0] identityProviders[0].publicKeys[0]', /"ed25519" key: only RSA \(RS256\) and P-256 EC \(ES256\)/],
    ['an RSA-PSS key', () => [trustEntry([pinnedProvider([spki(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }))])])], 'trust[0] identityProviders[0].publicKeys[0]', /"rsa-pss" key/],
    // Algorithms
    ['empty algorithms', () => [trustEntry([jwksProvider({ algorithms: [] })])], 'trust[0] identityProviders[0].algorithms', /must not be empty/],
    ['algorithms null', () => [trustEntry([jwksProvider({ algorithms: null })])], 'trust[0] identityProviders[0].algorithms', /must be an array/],
    ['algorithms that is a string', () => [trustEntry([jwksProvider({ algorithms: 'RS256' })])], 'trust[0] identityProviders[0].algorithms', /must be an array/],
    ['an algorithm that is not RS256 or ES256', () => [trustEntry([jwksProvider({ algorithms: ['RS256', 'HS256'] })])], 'trust[0] identityProviders[0].algorithms[1]', /one of RS256, ES256/],
    ['an algorithm listed twice', () => [trustEntry([jwksProvider({ algorithms: ['ES256', 'ES256'] })])], 'trust[0] identityProviders[0].algorithms[1]', /duplicate ES256/],
    ['a pinned EC key the algorithms leave out', () => [trustEntry([pinnedProvider([RSA_PEM, EC_PEM], { algorithms: ['RS256'] })])], 'trust[0] identityProviders[0].publicKeys[1]', /^is an ES256 key, but algorithms allows only RS256$/],
    ['a pinned certificate the algorithms leave out', () => [trustEntry([pinnedProvider([CERT_PEM], { algorithms: ['RS256'] })])], 'trust[0] identityProviders[0].publicKeys[0]', /^is an ES256 key, but algorithms allows only RS256$/],
    ['a pinned RSA key the algorithms leave out', () => [trustEntry([pinnedProvider([RSA_PEM], { algorithms: ['ES256'] })])], 'trust[0] identityProviders[0].publicKeys[0]', /^is an RS256 key, but algorithms allows only ES256$/],
  ])('reports %s, at its path, quoting no key material', (_name, trust, where, message) => {
    const entries = trust();
    const problems = trustProblems(entries);
    expect(problems).toEqual([at(where)]);
    expect(problems[0]!.message).toMatch(message);
    // Named by the party code, when the entry has a well-formed one.
    const party: unknown = entries[problems[0]!.index!]?.party;
    expect(problems[0]!.id).toBe(typeof party === 'string' && /^[A-Z0-9]{2,10}$/.test(party) ? party : null);
    expectNoKeyMaterial(problems);
  });

  it('reports a trust collection that is not an array', () => {
    expect(trustProblems({ ITA: [] } as unknown as Json[])).toEqual([at('trust (collection)')]);
  });

  it('collects every problem of an entry, naming the party', () => {
    const problems = trustProblems([
      trustEntry(
        [
          jwksProvider({ jwksUrl: 'http://idp.interno.it/jwks' }),
          pinnedProvider([pkcs8(RSA), 'garbage'], { algorithms: ['none'] }),
          { issuer: 'ita-hsm', audience: '', extra: 1 },
        ],
        { requireDpop: 1 },
      ),
    ]);
    expect(problems.map((p) => p.field)).toEqual([
      'requireDpop',
      'identityProviders[0].jwksUrl',
      'identityProviders[1].publicKeys[0]',
      'identityProviders[1].publicKeys[1]',
      'identityProviders[1].algorithms[0]',
      'identityProviders[2].extra',
      'identityProviders[2].audience',
      'identityProviders[2]',
      'identityProviders[2].issuer',
    ]);
    expect(new Set(problems.map((p) => p.id))).toEqual(new Set(['ITA']));
    expectNoKeyMaterial(problems);
  });
});
