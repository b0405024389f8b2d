/**
 * Development personas: a caller and a treaty context each, matching the shared
 * fixture and the demo world. Printed by `npm start` in development (and offered by
 * the explorer); never available in production.
 */
import type { Clearance, Purpose, Role } from '../policy/taxonomy';

export interface Persona {
  readonly key: string;
  readonly label: string;
  readonly party: string;
  readonly clearance: Clearance;
  readonly roles: readonly Role[];
  readonly agreementId: string;
  readonly purpose: Purpose;
}

export const PERSONAS: readonly Persona[] = [
  {
    key: 'ita-anti-trafficking',
    label: 'Italy, anti-trafficking caseworker (ELEVATED)',
    party: 'ITA',
    clearance: 'ELEVATED',
    roles: ['CASEWORKER'],
    agreementId: 'AGR-MED-TIP-2024',
    purpose: 'ANTI_TRAFFICKING',
  },
  {
    key: 'nga-law-enforcement',
    label: 'Nigeria, law-enforcement officer (STANDARD)',
    party: 'NGA',
    clearance: 'STANDARD',
    roles: ['CASEWORKER'],
    agreementId: 'AGR-ITA-NGA-READMISSION-2023',
    purpose: 'LAW_ENFORCEMENT',
  },
  {
    key: 'iom-statistics',
    label: 'IOM, statistics analyst (STANDARD)',
    party: 'IOM',
    clearance: 'STANDARD',
    roles: ['ANALYST'],
    agreementId: 'AGR-MED-TIP-2024',
    purpose: 'STATISTICS',
  },
];
