/**
 * Which stored fields of a migrant a request reads. Annotated fields that this request
 * may not disclose are left out, so a withheld value never leaves the database.
 */
import type { MigrantProjection } from './migrants';

/** The stored paths behind unannotated `Migrant` fields (`id`, `holder`). */
export const UNANNOTATED_MIGRANT_PROJECTION: MigrantProjection = Object.freeze({ holder: 1 });

/** Every stored path: only for the benchmark baseline, which discloses everything. */
export const FULL_MIGRANT_PROJECTION: MigrantProjection = Object.freeze({
  holder: 1,
  givenName: 1,
  familyName: 1,
  dateOfBirth: 1,
  sex: 1,
  nationality: 1,
  placeOfBirth: 1,
  address: 1,
  documents: 1,
  legalStatus: 1,
  arrivalDate: 1,
  familyIds: 1,
  biometrics: 1,
  health: 1,
  ethnicOrigin: 1,
  religion: 1,
  criminalRecord: 1,
  victimStatus: 1,
});
