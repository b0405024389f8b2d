/**
 * The import format (docs/api.md section 6): one "world" of parties, agreements,
 * migrants, data requests, consents and the trust registry, all keys in camelCase, dates as ISO 8601
 * calendar dates (`YYYY-MM-DD`). The same shape as `test/fixtures/small-world.json`.
 *
 * These types describe a file that has passed `validateWorld`; nothing unvalidated
 * is typed as a `World`.
 */
import type {
  AccessLevel,
  AgreementStatus,
  DataCategory,
  Purpose,
  RequestStatus,
  SpecialCategory,
  SubjectScope,
} from '../policy/taxonomy';

/** Domain vocabularies, spelled as in the shared fixture. */
export const PARTY_KINDS = ['STATE', 'ORGANISATION'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const AGREEMENT_KINDS = ['MULTILATERAL', 'BILATERAL', 'MOU'] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];

export const SEXES = ['F', 'M', 'X'] as const;
export type Sex = (typeof SEXES)[number];

export const LEGAL_STATUSES = [
  'ASYLUM_SEEKER',
  'REFUGEE',
  'SUBSIDIARY_PROTECTION',
  'TEMPORARY_PROTECTION',
  'IRREGULAR',
  'WORKER',
  'STUDENT',
  'FAMILY_MEMBER',
  'STATELESS',
] as const;
export type LegalStatus = (typeof LEGAL_STATUSES)[number];

export const DOCUMENT_TYPES = ['PASSPORT', 'ID_CARD', 'TRAVEL_DOCUMENT', 'RESIDENCE_PERMIT', 'VISA'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const VULNERABILITIES = [
  'PREGNANT',
  'UNACCOMPANIED_MINOR',
  'SURVIVOR_OF_VIOLENCE',
  'SURVIVOR_OF_TRAFFICKING',
  'DISABILITY',
  'SERIOUS_ILLNESS',
  'ELDERLY',
] as const;
export type Vulnerability = (typeof VULNERABILITIES)[number];

export const VICTIM_STATUS_VALUES = ['IDENTIFIED_VICTIM', 'PRESUMED_VICTIM', 'NOT_A_VICTIM'] as const;
export type VictimStatusValue = (typeof VICTIM_STATUS_VALUES)[number];

export const EXPLOITATION_TYPES = [
  'SEXUAL',
  'LABOUR',
  'DOMESTIC_SERVITUDE',
  'FORCED_CRIMINALITY',
  'FORCED_BEGGING',
  'FORCED_MARRIAGE',
  'ORGAN_REMOVAL',
  'OTHER',
] as const;
export type ExploitationType = (typeof EXPLOITATION_TYPES)[number];

/** JWT signature algorithms an identity provider of the trust registry may use. */
export const TRUST_ALGORITHMS = ['RS256', 'ES256'] as const;
export type TrustAlgorithm = (typeof TRUST_ALGORITHMS)[number];

/** ISO 8601 calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface WorldParty {
  code: string;
  name: string;
  kind: PartyKind;
}

export interface WorldGrant {
  purpose: Purpose;
  subjectScope: SubjectScope;
  categories: Partial<Record<DataCategory, AccessLevel>>;
  specialCategories: SpecialCategory[];
}

export interface WorldAgreement {
  id: string;
  title: string;
  kind: AgreementKind;
  parties: string[];
  status: AgreementStatus;
  effectiveFrom: IsoDate;
  expiresOn: IsoDate | null;
  minCellSize: number;
  retentionDays: number;
  grants: WorldGrant[];
}

export interface WorldAddress {
  line1: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface WorldTravelDocument {
  type: DocumentType;
  number: string;
  issuingCountry: string;
  expiresOn: IsoDate | null;
}

export interface WorldBiometrics {
  fingerprintTemplate: string | null;
  faceTemplate: string | null;
}

export interface WorldHealthRecord {
  conditions: string[];
  vulnerabilities: Vulnerability[];
}

export interface WorldConviction {
  offence: string;
  year: number;
  country: string;
}

export interface WorldCriminalRecord {
  convictions: WorldConviction[];
}

export interface WorldVictimStatus {
  status: VictimStatusValue;
  identifiedOn: IsoDate | null;
  exploitationType: ExploitationType | null;
}

export interface WorldMigrant {
  id: string;
  holder: string;
  recordedAt: IsoDate;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: IsoDate | null;
  sex: Sex | null;
  nationality: string | null;
  placeOfBirth: string | null;
  address: WorldAddress | null;
  documents: WorldTravelDocument[];
  legalStatus: LegalStatus | null;
  arrivalDate: IsoDate | null;
  familyIds: string[];
  biometrics: WorldBiometrics | null;
  health: WorldHealthRecord | null;
  ethnicOrigin: string | null;
  religion: string | null;
  criminalRecord: WorldCriminalRecord | null;
  victimStatus: WorldVictimStatus | null;
}

export interface WorldDataRequest {
  id: string;
  agreementId: string;
  requestingParty: string;
  requestedParty: string;
  purpose: Purpose;
  subjectIds: string[];
  categories: DataCategory[];
  justification: string;
  status: RequestStatus;
  submittedAt: IsoDate;
  decidedAt: IsoDate | null;
  validUntil: IsoDate | null;
  decisionNote?: string | null;
}

export interface WorldConsent {
  migrantId: string;
  purpose: Purpose;
  givenAt: IsoDate;
  withdrawnAt: IsoDate | null;
  evidence?: string | null;
}

/**
 * An identity provider (JWT issuer) that may speak for a party. Exactly one of `jwksUrl`
 * and `publicKeys` is given: `jwksUrl` null when keys are pinned, `publicKeys` [] when
 * they are fetched from `jwksUrl`.
 */
export interface WorldIdentityProvider {
  /** The JWT `iss`. */
  issuer: string;
  /** The JWT `aud` the gateway requires for this issuer. */
  audience: string;
  jwksUrl: string | null;
  /** Pinned PEM keys: SPKI public keys (`PUBLIC KEY`) or X.509 certificates (`CERTIFICATE`). */
  publicKeys: string[];
  /** Accepted signature algorithms (the file's default: both). */
  algorithms: TrustAlgorithm[];
}

/** The trust registry entry of one party: who may speak for it. */
export interface WorldTrust {
  party: string;
  /** Tokens for this party must be DPoP-bound (RFC 9449). */
  requireDpop: boolean;
  /** May be empty: nobody speaks for the party. */
  identityProviders: WorldIdentityProvider[];
}

export interface World {
  parties: WorldParty[];
  agreements: WorldAgreement[];
  migrants: WorldMigrant[];
  dataRequests: WorldDataRequest[];
  consents: WorldConsent[];
  /** The trust registry (at most one entry per party); [] when the file has none. */
  trust: WorldTrust[];
}
