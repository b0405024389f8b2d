/** Who may call what (contract section 7): the one table, as the resolvers consult it. */
import { PERMISSIONS, mayAttempt, permitted, type GuardedOperation } from '../../src/policy/permissions';

it('lets oversight read the audit and any disclosure history, and a data controller only its own records', () => {
  expect(permitted('auditIntegrity', ['OVERSIGHT']).ok).toBe(true);
  expect(permitted('auditIntegrity', ['DATA_CONTROLLER', 'CASEWORKER', 'ANALYST'])).toEqual({ ok: false, message: 'auditIntegrity needs the role OVERSIGHT.' });
  expect(permitted('disclosureHistory', ['OVERSIGHT'], false).ok).toBe(true);
  expect(permitted('disclosureHistory', ['DATA_CONTROLLER'], true).ok).toBe(true);
  expect(permitted('disclosureHistory', ['DATA_CONTROLLER'], false).ok).toBe(false);
  expect(permitted('disclosureHistory', ['CASEWORKER'], true).ok).toBe(false);
});

it('keeps every record-changing operation to the data controller of the holder', () => {
  for (const operation of ['recordConsent', 'withdrawConsent', 'rectifyMigrant', 'eraseMigrant'] as GuardedOperation[]) {
    expect(permitted(operation, ['DATA_CONTROLLER'], true).ok).toBe(true);
    expect(permitted(operation, ['DATA_CONTROLLER'], false).ok).toBe(false);
    expect(permitted(operation, ['OVERSIGHT', 'CASEWORKER', 'ANALYST'], true).ok).toBe(false);
    expect(mayAttempt(operation, ['DATA_CONTROLLER'])).toBe(true);
    expect(mayAttempt(operation, ['OVERSIGHT'])).toBe(false);
  }
});

it('names a refusal for every operation, and no operation is open to every role', () => {
  for (const [operation, permission] of Object.entries(PERMISSIONS)) {
    expect(permission.message.length).toBeGreaterThan(10);
    expect(permitted(operation as GuardedOperation, [], true).ok).toBe(false);
  }
});
