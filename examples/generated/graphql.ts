/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** How much of a data category a grant discloses. Ordered: NONE < AGGREGATE < MINIMISED < FULL. */
export type AccessLevel =
  /** Only in statistics (counts with disclosure control). */
  | 'AGGREGATE'
  /** Everything. */
  | 'FULL'
  /** Reduced precision (`@minimise` form), or nothing where a field has none. */
  | 'MINIMISED'
  /** Nothing. */
  | 'NONE';

/** What kind of instrument an agreement is. */
export type AgreementKind =
  /** A treaty between two parties. */
  | 'BILATERAL'
  /** A memorandum of understanding. */
  | 'MOU'
  /** A treaty between more than two parties. */
  | 'MULTILATERAL';

/** The status of an agreement. */
export type AgreementStatus =
  /** Negotiated, not in force. */
  | 'DRAFT'
  /** In force between its effective and expiry dates. */
  | 'IN_FORCE'
  /** Suspended: no data flows. */
  | 'SUSPENDED'
  /** Terminated: no data flows. */
  | 'TERMINATED';

/** A caller's security clearance. Ordered: STANDARD < ELEVATED < SPECIAL. */
export type Clearance =
  /** Elevated clearance. */
  | 'ELEVATED'
  /** Clearance for special categories. */
  | 'SPECIAL'
  /** Ordinary clearance. */
  | 'STANDARD';

/** A category of ordinary personal data that an agreement grants at some access level. */
export type DataCategory =
  /** Data requests and decisions about the person. */
  | 'CASE_HISTORY'
  /** Address and whereabouts. */
  | 'CONTACT_LOCATION'
  /** Links to family members. */
  | 'FAMILY'
  /** Names, date and place of birth, sex. */
  | 'IDENTITY'
  /** Legal status and arrival. */
  | 'IMMIGRATION_STATUS'
  /** Nationality. */
  | 'NATIONALITY'
  /** Passports and other travel documents. */
  | 'TRAVEL_DOCUMENT';

/** What a decision did with a field. */
export type DisclosureAction =
  /** Disclosed in full. */
  | 'DISCLOSED'
  /** Disclosed in its reduced (`@minimise`) form. */
  | 'MINIMISED'
  /** Withheld: the field is null. */
  | 'REDACTED';

/** Type of travel or identity document. */
export type DocumentType =
  /** National identity card. */
  | 'ID_CARD'
  /** Passport. */
  | 'PASSPORT'
  /** Residence permit. */
  | 'RESIDENCE_PERMIT'
  /** Travel document for refugees or stateless persons. */
  | 'TRAVEL_DOCUMENT'
  /** Visa. */
  | 'VISA';

/** A per-record condition on which a field's disclosure depends. */
export type EntitlementCondition =
  /** Disclosed in full for the subjects of the data request named in X-Data-Request-Id; for other records as `otherwise` says. */
  | 'DATA_REQUEST_SUBJECT'
  /** Disclosed only for subjects with an active consent for the purpose; otherwise CONSENT_MISSING. */
  | 'SUBJECT_CONSENT';

/** Form of exploitation. */
export type ExploitationType =
  /** Domestic servitude. */
  | 'DOMESTIC_SERVITUDE'
  /** Forced begging. */
  | 'FORCED_BEGGING'
  /** Forced criminality. */
  | 'FORCED_CRIMINALITY'
  /** Forced marriage. */
  | 'FORCED_MARRIAGE'
  /** Labour exploitation. */
  | 'LABOUR'
  /** Organ removal. */
  | 'ORGAN_REMOVAL'
  /** Other forms. */
  | 'OTHER'
  /** Sexual exploitation. */
  | 'SEXUAL';

/** Legal status of a person in the holding state. */
export type LegalStatus =
  /** Has applied for international protection. */
  | 'ASYLUM_SEEKER'
  /** Resident as a family member. */
  | 'FAMILY_MEMBER'
  /** Without a right to stay. */
  | 'IRREGULAR'
  /** Recognised refugee. */
  | 'REFUGEE'
  /** Recognised stateless person. */
  | 'STATELESS'
  /** Holds a study permit. */
  | 'STUDENT'
  /** Beneficiary of subsidiary protection. */
  | 'SUBSIDIARY_PROTECTION'
  /** Beneficiary of temporary protection. */
  | 'TEMPORARY_PROTECTION'
  /** Holds a work permit. */
  | 'WORKER';

/**
 * Filter for `Query.migrants`. Each filter field reveals the field it filters on, so it
 * is refused (`FILTER_NOT_PERMITTED`) where this context may not see that field in full.
 */
export type MigrantFilter = {
  /** Arrived on or after this date. */
  arrivedAfter?: string | null | undefined;
  /** Arrived on or before this date. */
  arrivedBefore?: string | null | undefined;
  /** Exact document number. */
  documentNumber?: string | null | undefined;
  /** Exact family name. */
  familyName?: string | null | undefined;
  /** Code of the holding party. */
  holder?: string | null | undefined;
  /** Legal status. */
  legalStatus?: LegalStatus | null | undefined;
  /** Nationality, ISO 3166-1 alpha-3. */
  nationality?: string | null | undefined;
};

/** How a field is reduced at MINIMISED access. */
export type MinimiseStrategy =
  /** A name becomes its initial (`M.`). */
  | 'INITIAL'
  /** An identifier keeps its last four characters (`****5678`). */
  | 'LAST_FOUR'
  /** A date becomes its year (`1987`). */
  | 'YEAR'
  /** A date becomes its year and month (`1987-05`). */
  | 'YEAR_MONTH';

/** The purpose of one use of data (purpose limitation). Sent in the `X-Purpose` header. */
export type Purpose =
  /** Identification of, and assistance to, victims of trafficking in human beings. */
  | 'ANTI_TRAFFICKING'
  /** Examination of applications for international protection. */
  | 'ASYLUM_PROCESSING'
  /** Checks at borders and crossing points. */
  | 'BORDER_CONTROL'
  /** Tracing and reunifying family members. */
  | 'FAMILY_REUNIFICATION'
  /** Prevention, investigation and prosecution of crime. */
  | 'LAW_ENFORCEMENT'
  /** Return of persons without a right to stay and their readmission. */
  | 'RETURN_AND_READMISSION'
  /** Delivering services (shelter, health care, legal aid) to the person. */
  | 'SERVICE_DELIVERY'
  /** Statistics: counts, never individual records. */
  | 'STATISTICS';

/** Why a field was withheld. */
export type RedactionReason =
  /** The category is granted at AGGREGATE or NONE; under an aggregate-only grant, also a special category it lists (for counting only). */
  | 'CATEGORY_NOT_GRANTED'
  /** The subject has no active consent for the purpose. */
  | 'CONSENT_MISSING'
  /** The caller's clearance is below the field's. */
  | 'INSUFFICIENT_CLEARANCE'
  /** The category is granted MINIMISED and the field has no minimised form. */
  | 'MINIMISATION_UNAVAILABLE'
  /** The field's `@purpose(allow:)` does not list the purpose. */
  | 'PURPOSE_NOT_ALLOWED_FOR_FIELD'
  /** The grant does not list the field's special category. */
  | 'SPECIAL_CATEGORY_NOT_COVERED';

/** Which data requests to list, seen from the caller's party. */
export type RequestDirection =
  /** Requests made to the caller's party. */
  | 'INCOMING'
  /** Requests made by the caller's party. */
  | 'OUTGOING';

/** The status of a data request. An APPROVED request whose `validUntil` has passed reads as EXPIRED. */
export type RequestStatus =
  /** Approved: widens access for its subjects until `validUntil`. */
  | 'APPROVED'
  /** Denied by the requested party. */
  | 'DENIED'
  /** Approved once; its validity has passed. Grants nothing. */
  | 'EXPIRED'
  /** Awaiting the requested party's decision. */
  | 'PENDING'
  /** Withdrawn by the requesting party. */
  | 'WITHDRAWN';

/** A caller's role. */
export type Role =
  /** Works with statistics. */
  | 'ANALYST'
  /** Works on individual cases. */
  | 'CASEWORKER'
  /** Decides data requests and manages the records its party holds. */
  | 'DATA_CONTROLLER'
  /** Oversight body: reads the audit trail. */
  | 'OVERSIGHT';

/** Sex as recorded. */
export type Sex =
  /** Female. */
  | 'F'
  /** Male. */
  | 'M'
  /** Other or unspecified. */
  | 'X';

/** A special category of personal data: disclosed only where a grant lists it explicitly. */
export type SpecialCategory =
  /** Fingerprint and face templates. */
  | 'BIOMETRIC'
  /** Criminal convictions. */
  | 'CRIMINAL_RECORD'
  /** Ethnic origin. */
  | 'ETHNIC_ORIGIN'
  /** Health conditions and vulnerabilities. */
  | 'HEALTH'
  /** Religion or belief. */
  | 'RELIGION'
  /** Status as a (presumed) victim of trafficking. */
  | 'VICTIM_STATUS';

/** A dimension of `Query.statistics`. */
export type StatDimension =
  /** Ten-year age band at today's date (`30-39`). */
  | 'AGE_BAND'
  /** Year of arrival. */
  | 'ARRIVAL_YEAR'
  /** The party that holds the record. */
  | 'HOLDER'
  /** Legal status. */
  | 'LEGAL_STATUS'
  /** The subject's nationality. */
  | 'NATIONALITY'
  /** The subject's sex. */
  | 'SEX'
  /** Victim-of-trafficking status. */
  | 'VICTIM_STATUS';

/**
 * Narrows `statistics` to one value of a dimension (a slice of the table that groups by
 * it). Each field counts as a dimension, with that dimension's permission rule; finer
 * filters (names, document numbers, exact dates) are not offered, so that counts cannot
 * be differenced down to a person.
 */
export type StatisticsFilter = {
  /** Ten-year age band at today's date, e.g. `30-39` (dimension AGE_BAND). */
  ageBand?: string | null | undefined;
  /** Year of arrival (dimension ARRIVAL_YEAR). */
  arrivalYear?: number | null | undefined;
  /** Code of the holding party (dimension HOLDER). */
  holder?: string | null | undefined;
  /** Legal status (dimension LEGAL_STATUS). */
  legalStatus?: LegalStatus | null | undefined;
  /** Nationality, ISO 3166-1 alpha-3 (dimension NATIONALITY). */
  nationality?: string | null | undefined;
  /** Sex (dimension SEX). */
  sex?: Sex | null | undefined;
  /** Victim-of-trafficking status (dimension VICTIM_STATUS). */
  victimStatus?: VictimStatusValue | null | undefined;
};

/** Which records a grant covers (row-level scope). */
export type SubjectScope =
  /** Records held by any party to the agreement. */
  | 'ALL_HELD_BY_PARTIES'
  /** Of those, the records whose subject is a national of a party. */
  | 'NATIONALS_OF_PARTIES'
  /** Of those, only subjects of an approved, unexpired data request of the caller's party. */
  | 'REQUESTED_ONLY';

/** A request for data about named subjects, made under the agreement in X-Agreement-Id. */
export type SubmitDataRequestInput = {
  /** The agreement; must be the one in X-Agreement-Id. */
  agreementId: string;
  /** The categories asked for; each must be one the agreement's grant for the purpose lists. */
  categories: Array<DataCategory>;
  /** Why the data is needed (1 to 2,000 characters). */
  justification: string;
  /** The purpose the data will be used for; the agreement must grant it. */
  purpose: Purpose;
  /** The party that holds the records and will decide. */
  requestedParty: string;
  /** The subjects, by this agreement's pseudonyms; each must be a record the requested party holds. */
  subjectIds: Array<string>;
  /** Requested validity in days once approved (1 to 3,650; default 90). */
  validDays?: number | null | undefined;
};

/** Victim-of-trafficking status. */
export type VictimStatusValue =
  /** Formally identified as a victim. */
  | 'IDENTIFIED_VICTIM'
  /** Assessed and not found to be a victim. */
  | 'NOT_A_VICTIM'
  /** Presumed to be a victim, identification pending. */
  | 'PRESUMED_VICTIM';

/** A recorded vulnerability. */
export type Vulnerability =
  /** Has a disability. */
  | 'DISABILITY'
  /** Elderly person. */
  | 'ELDERLY'
  /** Pregnant. */
  | 'PREGNANT'
  /** Serious illness. */
  | 'SERIOUS_ILLNESS'
  /** Survivor of trafficking. */
  | 'SURVIVOR_OF_TRAFFICKING'
  /** Survivor of violence. */
  | 'SURVIVOR_OF_VIOLENCE'
  /** A child without a parent or guardian. */
  | 'UNACCOMPANIED_MINOR';

export type AgreementsQueryVariables = Exact<{ [key: string]: never; }>;


export type AgreementsQuery = { agreements: Array<{ id: string, title: string, kind: AgreementKind, status: AgreementStatus, effectiveFrom: string, expiresOn: string | null, minCellSize: number, retentionDays: number, parties: Array<{ code: string, name: string }>, grants: Array<{ purpose: Purpose, subjectScope: SubjectScope, specialCategories: Array<SpecialCategory>, categories: Array<{ category: DataCategory, level: AccessLevel }> }> }> };

export type DataRequestsQueryVariables = Exact<{
  direction?: RequestDirection | null | undefined;
  status?: RequestStatus | null | undefined;
}>;


export type DataRequestsQuery = { dataRequests: Array<{ id: string, purpose: Purpose, status: RequestStatus, categories: Array<DataCategory>, justification: string, submittedAt: string | null, validUntil: string | null, decidedAt: string | null, decisionNote: string | null, requestingParty: { code: string } | null, requestedParty: { code: string } | null, subjects: Array<{ id: string }> }> };

export type EntitlementsQueryVariables = Exact<{ [key: string]: never; }>;


export type EntitlementsQuery = { entitlements: { agreementId: string, purpose: Purpose, subjectScope: SubjectScope, clearance: Clearance, dataRequestId: string | null, recordAccess: boolean, recordAccessReason: string | null, fields: Array<{ coordinate: string, action: DisclosureAction, reason: RedactionReason | null, strategy: MinimiseStrategy | null, condition: EntitlementCondition | null }>, filters: Array<{ argument: string, permitted: boolean }> } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { sub: string, agency: string, party: string, clearance: Clearance, roles: Array<Role> } };

export type MigrantByIdQueryVariables = Exact<{
  id: string;
}>;


export type MigrantByIdQuery = { migrant: { id: string, givenName: string | null, familyName: string | null, dateOfBirth: string | null, sex: Sex | null, placeOfBirth: string | null, nationality: string | null, legalStatus: LegalStatus | null, arrivalDate: string | null, ethnicOrigin: string | null, religion: string | null, holder: { code: string, name: string } | null, address: { line1: string | null, city: string | null, region: string | null, postalCode: string | null, country: string | null } | null, documents: Array<{ type: DocumentType | null, number: string | null, issuingCountry: string | null, expiresOn: string | null }> | null, family: Array<{ id: string, givenName: string | null, familyName: string | null }> | null, biometrics: { fingerprintTemplate: string | null, faceTemplate: string | null } | null, health: { conditions: Array<string> | null, vulnerabilities: Array<Vulnerability> | null } | null, criminalRecord: { convictions: Array<{ offence: string | null, year: number | null, country: string | null }> | null } | null, victimStatus: { status: VictimStatusValue | null, identifiedOn: string | null, exploitationType: ExploitationType | null } | null, requests: Array<{ id: string, status: RequestStatus, purpose: Purpose }> | null } | null };

export type MigrantsPageQueryVariables = Exact<{
  filter?: MigrantFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MigrantsPageQuery = { migrants: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, givenName: string | null, familyName: string | null, dateOfBirth: string | null, sex: Sex | null, nationality: string | null, legalStatus: LegalStatus | null, arrivalDate: string | null, religion: string | null, holder: { code: string } | null, address: { city: string | null, country: string | null } | null, documents: Array<{ type: DocumentType | null, number: string | null, issuingCountry: string | null, expiresOn: string | null }> | null, health: { conditions: Array<string> | null, vulnerabilities: Array<Vulnerability> | null } | null, victimStatus: { status: VictimStatusValue | null, identifiedOn: string | null, exploitationType: ExploitationType | null } | null } }> } };

export type StatisticsQueryVariables = Exact<{
  groupBy: Array<StatDimension> | StatDimension;
  filter?: StatisticsFilter | null | undefined;
}>;


export type StatisticsQuery = { statistics: { groupBy: Array<StatDimension>, total: number | null, suppressedCells: number, minCellSize: number, cells: Array<{ key: Array<string>, count: number | null, suppressed: boolean }> } };

export type SubmitDataRequestMutationVariables = Exact<{
  input: SubmitDataRequestInput;
}>;


export type SubmitDataRequestMutation = { submitDataRequest: { id: string, status: RequestStatus, purpose: Purpose, categories: Array<DataCategory>, justification: string, submittedAt: string | null, validUntil: string | null, requestingParty: { code: string } | null, requestedParty: { code: string } | null, subjects: Array<{ id: string }> } };


export const AgreementsDocument = {"__meta__":{"hash":"9f970002b575e7360dd8cb6d8af88182bc25a5ebd297f53dad86ae4ce2b35ece"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Agreements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agreements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"expiresOn"}},{"kind":"Field","name":{"kind":"Name","value":"parties"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"grants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"subjectScope"}},{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"level"}}]}},{"kind":"Field","name":{"kind":"Name","value":"specialCategories"}}]}},{"kind":"Field","name":{"kind":"Name","value":"minCellSize"}},{"kind":"Field","name":{"kind":"Name","value":"retentionDays"}}]}}]}}]} as unknown as DocumentNode<AgreementsQuery, AgreementsQueryVariables>;
export const DataRequestsDocument = {"__meta__":{"hash":"f5bd11787e0f37f0266192cac88f3e9ebf710fc723d008a7db8a6493790e032b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DataRequests"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"direction"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestDirection"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dataRequests"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"direction"},"value":{"kind":"Variable","name":{"kind":"Name","value":"direction"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"categories"}},{"kind":"Field","name":{"kind":"Name","value":"justification"}},{"kind":"Field","name":{"kind":"Name","value":"requestingParty"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"requestedParty"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subjects"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decisionNote"}}]}}]}}]} as unknown as DocumentNode<DataRequestsQuery, DataRequestsQueryVariables>;
export const EntitlementsDocument = {"__meta__":{"hash":"9cd8de28ba025efdc600bd657d9a8de844f52bfeeec7f4a2aa2e4734ad5efcca"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agreementId"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"subjectScope"}},{"kind":"Field","name":{"kind":"Name","value":"clearance"}},{"kind":"Field","name":{"kind":"Name","value":"dataRequestId"}},{"kind":"Field","name":{"kind":"Name","value":"recordAccess"}},{"kind":"Field","name":{"kind":"Name","value":"recordAccessReason"}},{"kind":"Field","name":{"kind":"Name","value":"fields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"coordinate"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"condition"}}]}},{"kind":"Field","name":{"kind":"Name","value":"filters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}},{"kind":"Field","name":{"kind":"Name","value":"permitted"}}]}}]}}]}}]} as unknown as DocumentNode<EntitlementsQuery, EntitlementsQueryVariables>;
export const MeDocument = {"__meta__":{"hash":"77964462e221dae8177a1fab2637b2ecfc31101a19ea8cee6c7efd04ea8dcbc0"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sub"}},{"kind":"Field","name":{"kind":"Name","value":"agency"}},{"kind":"Field","name":{"kind":"Name","value":"party"}},{"kind":"Field","name":{"kind":"Name","value":"clearance"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const MigrantByIdDocument = {"__meta__":{"hash":"9077798cb7a5f520487a71a967d5b8ad8b96aafcdf332ba11fb6c6dc51b0fe7f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MigrantById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"migrant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"holder"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"givenName"}},{"kind":"Field","name":{"kind":"Name","value":"familyName"}},{"kind":"Field","name":{"kind":"Name","value":"dateOfBirth"}},{"kind":"Field","name":{"kind":"Name","value":"sex"}},{"kind":"Field","name":{"kind":"Name","value":"placeOfBirth"}},{"kind":"Field","name":{"kind":"Name","value":"nationality"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"line1"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"postalCode"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"Field","name":{"kind":"Name","value":"documents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"issuingCountry"}},{"kind":"Field","name":{"kind":"Name","value":"expiresOn"}}]}},{"kind":"Field","name":{"kind":"Name","value":"legalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"arrivalDate"}},{"kind":"Field","name":{"kind":"Name","value":"family"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"givenName"}},{"kind":"Field","name":{"kind":"Name","value":"familyName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"biometrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fingerprintTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"faceTemplate"}}]}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"conditions"}},{"kind":"Field","name":{"kind":"Name","value":"vulnerabilities"}}]}},{"kind":"Field","name":{"kind":"Name","value":"ethnicOrigin"}},{"kind":"Field","name":{"kind":"Name","value":"religion"}},{"kind":"Field","name":{"kind":"Name","value":"criminalRecord"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"convictions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"offence"}},{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"victimStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"identifiedOn"}},{"kind":"Field","name":{"kind":"Name","value":"exploitationType"}}]}},{"kind":"Field","name":{"kind":"Name","value":"requests"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}}]}}]}}]}}]} as unknown as DocumentNode<MigrantByIdQuery, MigrantByIdQueryVariables>;
export const MigrantsPageDocument = {"__meta__":{"hash":"e1b69aef593b29e601337ddd2dc2b67c180d0f5632c8c130b5fd8b18bba91d96"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MigrantsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"MigrantFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"migrants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"holder"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"givenName"}},{"kind":"Field","name":{"kind":"Name","value":"familyName"}},{"kind":"Field","name":{"kind":"Name","value":"dateOfBirth"}},{"kind":"Field","name":{"kind":"Name","value":"sex"}},{"kind":"Field","name":{"kind":"Name","value":"nationality"}},{"kind":"Field","name":{"kind":"Name","value":"legalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"arrivalDate"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"Field","name":{"kind":"Name","value":"documents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"issuingCountry"}},{"kind":"Field","name":{"kind":"Name","value":"expiresOn"}}]}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"conditions"}},{"kind":"Field","name":{"kind":"Name","value":"vulnerabilities"}}]}},{"kind":"Field","name":{"kind":"Name","value":"religion"}},{"kind":"Field","name":{"kind":"Name","value":"victimStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"identifiedOn"}},{"kind":"Field","name":{"kind":"Name","value":"exploitationType"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MigrantsPageQuery, MigrantsPageQueryVariables>;
export const StatisticsDocument = {"__meta__":{"hash":"36028e0d28547de47bfba5afceb9a77af5ee7c116b187e91fd09c8301965f5db"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Statistics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"groupBy"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StatDimension"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"StatisticsFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"groupBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"groupBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groupBy"}},{"kind":"Field","name":{"kind":"Name","value":"cells"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"suppressedCells"}},{"kind":"Field","name":{"kind":"Name","value":"minCellSize"}}]}}]}}]} as unknown as DocumentNode<StatisticsQuery, StatisticsQueryVariables>;
export const SubmitDataRequestDocument = {"__meta__":{"hash":"5f62d298514e2e42e6e4ff9e6b140811e5caf110ccf9cd66ed5589b9258a0e75"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubmitDataRequest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SubmitDataRequestInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitDataRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"categories"}},{"kind":"Field","name":{"kind":"Name","value":"justification"}},{"kind":"Field","name":{"kind":"Name","value":"requestingParty"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"requestedParty"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subjects"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}}]}}]}}]} as unknown as DocumentNode<SubmitDataRequestMutation, SubmitDataRequestMutationVariables>;