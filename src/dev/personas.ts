/**
 * Development personas: a caller and a treaty context each, matching the shared
 * fixture and the demo world. Printed by `npm start` in development (and offered by
 * the explorer); never available in production.
 */
import type { Clearance, Purpose, Role } from '../policy/taxonomy';

/**
 * What a persona's work reads: individual `records` (a page of migrants), or only
 * `statistics` (counts), for a grant that is aggregate-only (no data category above
 * AGGREGATE), under which every record read is refused with RECORD_ACCESS_NOT_GRANTED.
 */
export type PersonaReads = 'records' | 'statistics';

export interface Persona {
  readonly key: string;
  readonly label: string;
  readonly party: string;
  readonly clearance: Clearance;
  readonly roles: readonly Role[];
  readonly agreementId: string;
  readonly purpose: Purpose;
  /** Chooses the persona's example operation (`npm start`) and the explorer's default operation. */
  readonly reads: PersonaReads;
}

/** The one-line example operation `npm start` prints for each kind of persona. */
export const EXAMPLE_OPERATIONS: Readonly<Record<PersonaReads, string>> = {
  records: '{ migrants(first: 3) { totalCount edges { node { id holder { name } givenName } } } }',
  statistics: '{ statistics(groupBy: [NATIONALITY]) { cells { key count suppressed } total suppressedCells } }',
};

export const PERSONAS: readonly Persona[] = [
  {
    key: 'ita-anti-trafficking',
    label: 'Italy, anti-trafficking caseworker (ELEVATED)',
    party: 'ITA',
    clearance: 'ELEVATED',
    roles: ['CASEWORKER'],
    agreementId: 'AGR-MED-TIP-2024',
    purpose: 'ANTI_TRAFFICKING',
    reads: 'records',
  },
  {
    key: 'nga-law-enforcement',
    label: 'Nigeria, law-enforcement officer (STANDARD)',
    party: 'NGA',
    clearance: 'STANDARD',
    roles: ['CASEWORKER'],
    agreementId: 'AGR-ITA-NGA-READMISSION-2023',
    purpose: 'LAW_ENFORCEMENT',
    reads: 'records',
  },
  {
    key: 'iom-statistics',
    label: 'IOM, statistics analyst (STANDARD)',
    party: 'IOM',
    clearance: 'STANDARD',
    roles: ['ANALYST'],
    agreementId: 'AGR-MED-TIP-2024',
    purpose: 'STATISTICS',
    // The STATISTICS grant of AGR-MED-TIP-2024 is aggregate-only: counts, never records.
    reads: 'statistics',
  },
];
