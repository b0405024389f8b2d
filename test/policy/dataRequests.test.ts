/** Data requests as rules: the status a request reads as, and when it widens a context. */
import { dataRequestProblem, effectiveStatus, TRANSITIONS } from '../../src/policy/dataRequests';

const TODAY = new Date('2025-06-01T00:00:00Z');
const APPROVED = { agreementId: 'A', requestingParty: 'NGA', purpose: 'LAW_ENFORCEMENT' as const, status: 'APPROVED' as const, validUntil: new Date('2025-06-01T00:00:00Z') };

it('reads an approval past its validity as EXPIRED, the day itself still valid', () => {
  expect(effectiveStatus(APPROVED, TODAY)).toBe('APPROVED');
  expect(effectiveStatus({ ...APPROVED, validUntil: new Date('2025-05-31T00:00:00Z') }, TODAY)).toBe('EXPIRED');
  expect(effectiveStatus({ ...APPROVED, validUntil: null }, TODAY)).toBe('EXPIRED');
  expect(effectiveStatus({ status: 'PENDING', validUntil: null }, TODAY)).toBe('PENDING');
});

it('widens a context only for its agreement, purpose and requesting party, while approved and valid', () => {
  expect(dataRequestProblem(APPROVED, 'A', 'LAW_ENFORCEMENT', 'NGA', TODAY)).toBeNull();
  expect(dataRequestProblem(APPROVED, 'B', 'LAW_ENFORCEMENT', 'NGA', TODAY)).toBe('The data request is not under this agreement.');
  expect(dataRequestProblem(APPROVED, 'A', 'LAW_ENFORCEMENT', 'ITA', TODAY)).toBe("The data request was not made by the caller's party.");
  expect(dataRequestProblem(APPROVED, 'A', 'RETURN_AND_READMISSION', 'NGA', TODAY)).toBe('The data request is for another purpose.');
  expect(dataRequestProblem({ ...APPROVED, status: TRANSITIONS.DENY }, 'A', 'LAW_ENFORCEMENT', 'NGA', TODAY)).toBe('The data request is not approved.');
  expect(dataRequestProblem({ ...APPROVED, validUntil: new Date('2025-05-01T00:00:00Z') }, 'A', 'LAW_ENFORCEMENT', 'NGA', TODAY)).toBe('The data request has expired.');
});
