/**
 * The MongoDB document of each collection. Dates are BSON dates at midnight UTC (so
 * the database can compare and aggregate them); ids of the import format become `_id`.
 * Only `src/data/` knows these shapes; resolvers receive them through loaders.
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
import type {
  AgreementKind,
  DocumentType,
  ExploitationType,
  LegalStatus,
  PartyKind,
  Sex,
  TrustAlgorithm,
  VictimStatusValue,
  Vulnerability,
} from './world';

export interface PartyDoc {
  _id: string;
  name: string;
  kind: PartyKind;
}

export interface GrantDoc {
  purpose: Purpose;
  subjectScope: SubjectScope;
  categories: Partial<Record<DataCategory, AccessLevel>>;
  specialCategories: SpecialCategory[];
}

export interface AgreementDoc {
  _id: string;
  title: string;
  kind: AgreementKind;
  parties: string[];
  status: AgreementStatus;
  effectiveFrom: Date;
  expiresOn: Date | null;
  minCellSize: number;
  retentionDays: number;
  grants: GrantDoc[];
  /** When this document was last written, by an import or through the gateway. */
  updatedAt: Date;
}

export interface AddressDoc {
  line1: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface TravelDocumentDoc {
  type: DocumentType;
  number: string;
  issuingCountry: string;
  expiresOn: Date | null;
}

export interface MigrantDoc {
  _id: string;
  holder: string;
  recordedAt: Date;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: Date | null;
  sex: Sex | null;
  nationality: string | null;
  placeOfBirth: string | null;
  address: AddressDoc | null;
  documents: TravelDocumentDoc[];
  legalStatus: LegalStatus | null;
  arrivalDate: Date | null;
  familyIds: string[];
  biometrics: { fingerprintTemplate: string | null; faceTemplate: string | null } | null;
  health: { conditions: string[]; vulnerabilities: Vulnerability[] } | null;
  ethnicOrigin: string | null;
  religion: string | null;
  criminalRecord: { convictions: { offence: string; year: number; country: string }[] } | null;
  victimStatus: { status: VictimStatusValue; identifiedOn: Date | null; exploitationType: ExploitationType | null } | null;
  /** Set when the record was erased; an erased record is never returned. */
  erasedAt?: Date | null;
  /**
   * The active consents of the subject, kept with the record so that a request reads them
   * with it (src/data/consents.ts): by purpose, the earliest `givenAt` of a consent never
   * withdrawn. Derived from the consents collection, which stays the record of every
   * consent and withdrawal; absent on a record no consent write or import has summarised
   * yet (then the collection is read).
   */
  activeConsentSince?: Partial<Record<Purpose, Date>>;
  /** Raised by every write of `activeConsentSince`: a summary computed from older data cannot overwrite a newer one. */
  consentsVersion?: number;
}

export interface DataRequestDoc {
  _id: string;
  agreementId: string;
  requestingParty: string;
  requestedParty: string;
  purpose: Purpose;
  subjectIds: string[];
  categories: DataCategory[];
  justification: string;
  status: Exclude<RequestStatus, 'EXPIRED'>;
  submittedAt: Date;
  decidedAt: Date | null;
  validUntil: Date | null;
  decisionNote: string | null;
  /** Validity asked for at submission, in days (applied on approval unless the decider sets `validUntil`). */
  requestedValidDays?: number;
}

export interface ConsentDoc {
  /** `<migrantId>|<purpose>|<givenAt>`: one consent given at one time. */
  _id: string;
  migrantId: string;
  purpose: Purpose;
  givenAt: Date;
  withdrawnAt: Date | null;
  evidence: string | null;
}

/** An identity provider of the trust registry (see `TrustDoc`). */
export interface IdentityProviderDoc {
  /** The JWT `iss`. */
  issuer: string;
  /** The JWT `aud` the gateway requires for this issuer. */
  audience: string;
  /** Exactly one of `jwksUrl` and `publicKeys` (`publicKeys` is then []). */
  jwksUrl: string | null;
  /** Pinned PEM keys: SPKI public key or X.509 certificate. */
  publicKeys: string[];
  algorithms: TrustAlgorithm[];
}

/** The trust registry entry of one party: the identity providers that may speak for it. */
export interface TrustDoc {
  /** The party code. */
  _id: string;
  /** Tokens for this party must be DPoP-bound (RFC 9449). */
  requireDpop: boolean;
  identityProviders: IdentityProviderDoc[];
  /** When this document was written. */
  updatedAt: Date;
}

/** Collection names, in one place. */
export const COLLECTIONS = {
  parties: 'parties',
  agreements: 'agreements',
  migrants: 'migrants',
  dataRequests: 'dataRequests',
  consents: 'consents',
  trust: 'trust',
} as const;
