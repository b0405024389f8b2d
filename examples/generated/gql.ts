/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Agreements {\n  agreements {\n    id\n    title\n    kind\n    status\n    effectiveFrom\n    expiresOn\n    parties {\n      code\n      name\n    }\n    grants {\n      purpose\n      subjectScope\n      categories {\n        category\n        level\n      }\n      specialCategories\n    }\n    minCellSize\n    retentionDays\n  }\n}": typeof types.AgreementsDocument,
    "query DataRequests($direction: RequestDirection, $status: RequestStatus) {\n  dataRequests(direction: $direction, status: $status) {\n    id\n    purpose\n    status\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n    decidedAt\n    decisionNote\n  }\n}": typeof types.DataRequestsDocument,
    "query Entitlements {\n  entitlements {\n    agreementId\n    purpose\n    subjectScope\n    clearance\n    dataRequestId\n    recordAccess\n    recordAccessReason\n    fields {\n      coordinate\n      action\n      reason\n      strategy\n      condition\n    }\n    filters {\n      argument\n      permitted\n    }\n  }\n}": typeof types.EntitlementsDocument,
    "query Me {\n  me {\n    sub\n    agency\n    party\n    clearance\n    roles\n  }\n}": typeof types.MeDocument,
    "query MigrantById($id: ID!) {\n  migrant(id: $id) {\n    id\n    holder {\n      code\n      name\n    }\n    givenName\n    familyName\n    dateOfBirth\n    sex\n    placeOfBirth\n    nationality\n    address {\n      line1\n      city\n      region\n      postalCode\n      country\n    }\n    documents {\n      type\n      number\n      issuingCountry\n      expiresOn\n    }\n    legalStatus\n    arrivalDate\n    family {\n      id\n      givenName\n      familyName\n    }\n    biometrics {\n      fingerprintTemplate\n      faceTemplate\n    }\n    health {\n      conditions\n      vulnerabilities\n    }\n    ethnicOrigin\n    religion\n    criminalRecord {\n      convictions {\n        offence\n        year\n        country\n      }\n    }\n    victimStatus {\n      status\n      identifiedOn\n      exploitationType\n    }\n    requests {\n      id\n      status\n      purpose\n    }\n  }\n}": typeof types.MigrantByIdDocument,
    "query MigrantsPage($filter: MigrantFilter, $first: Int, $after: String) {\n  migrants(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        holder {\n          code\n        }\n        givenName\n        familyName\n        dateOfBirth\n        sex\n        nationality\n        legalStatus\n        arrivalDate\n        address {\n          city\n          country\n        }\n        documents {\n          type\n          number\n          issuingCountry\n          expiresOn\n        }\n        health {\n          conditions\n          vulnerabilities\n        }\n        religion\n        victimStatus {\n          status\n          identifiedOn\n          exploitationType\n        }\n      }\n    }\n  }\n}": typeof types.MigrantsPageDocument,
    "query Statistics($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {\n  statistics(groupBy: $groupBy, filter: $filter) {\n    groupBy\n    cells {\n      key\n      count\n      suppressed\n    }\n    total\n    suppressedCells\n    minCellSize\n  }\n}": typeof types.StatisticsDocument,
    "mutation SubmitDataRequest($input: SubmitDataRequestInput!) {\n  submitDataRequest(input: $input) {\n    id\n    status\n    purpose\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n  }\n}": typeof types.SubmitDataRequestDocument,
};
const documents: Documents = {
    "query Agreements {\n  agreements {\n    id\n    title\n    kind\n    status\n    effectiveFrom\n    expiresOn\n    parties {\n      code\n      name\n    }\n    grants {\n      purpose\n      subjectScope\n      categories {\n        category\n        level\n      }\n      specialCategories\n    }\n    minCellSize\n    retentionDays\n  }\n}": types.AgreementsDocument,
    "query DataRequests($direction: RequestDirection, $status: RequestStatus) {\n  dataRequests(direction: $direction, status: $status) {\n    id\n    purpose\n    status\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n    decidedAt\n    decisionNote\n  }\n}": types.DataRequestsDocument,
    "query Entitlements {\n  entitlements {\n    agreementId\n    purpose\n    subjectScope\n    clearance\n    dataRequestId\n    recordAccess\n    recordAccessReason\n    fields {\n      coordinate\n      action\n      reason\n      strategy\n      condition\n    }\n    filters {\n      argument\n      permitted\n    }\n  }\n}": types.EntitlementsDocument,
    "query Me {\n  me {\n    sub\n    agency\n    party\n    clearance\n    roles\n  }\n}": types.MeDocument,
    "query MigrantById($id: ID!) {\n  migrant(id: $id) {\n    id\n    holder {\n      code\n      name\n    }\n    givenName\n    familyName\n    dateOfBirth\n    sex\n    placeOfBirth\n    nationality\n    address {\n      line1\n      city\n      region\n      postalCode\n      country\n    }\n    documents {\n      type\n      number\n      issuingCountry\n      expiresOn\n    }\n    legalStatus\n    arrivalDate\n    family {\n      id\n      givenName\n      familyName\n    }\n    biometrics {\n      fingerprintTemplate\n      faceTemplate\n    }\n    health {\n      conditions\n      vulnerabilities\n    }\n    ethnicOrigin\n    religion\n    criminalRecord {\n      convictions {\n        offence\n        year\n        country\n      }\n    }\n    victimStatus {\n      status\n      identifiedOn\n      exploitationType\n    }\n    requests {\n      id\n      status\n      purpose\n    }\n  }\n}": types.MigrantByIdDocument,
    "query MigrantsPage($filter: MigrantFilter, $first: Int, $after: String) {\n  migrants(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        holder {\n          code\n        }\n        givenName\n        familyName\n        dateOfBirth\n        sex\n        nationality\n        legalStatus\n        arrivalDate\n        address {\n          city\n          country\n        }\n        documents {\n          type\n          number\n          issuingCountry\n          expiresOn\n        }\n        health {\n          conditions\n          vulnerabilities\n        }\n        religion\n        victimStatus {\n          status\n          identifiedOn\n          exploitationType\n        }\n      }\n    }\n  }\n}": types.MigrantsPageDocument,
    "query Statistics($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {\n  statistics(groupBy: $groupBy, filter: $filter) {\n    groupBy\n    cells {\n      key\n      count\n      suppressed\n    }\n    total\n    suppressedCells\n    minCellSize\n  }\n}": types.StatisticsDocument,
    "mutation SubmitDataRequest($input: SubmitDataRequestInput!) {\n  submitDataRequest(input: $input) {\n    id\n    status\n    purpose\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n  }\n}": types.SubmitDataRequestDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Agreements {\n  agreements {\n    id\n    title\n    kind\n    status\n    effectiveFrom\n    expiresOn\n    parties {\n      code\n      name\n    }\n    grants {\n      purpose\n      subjectScope\n      categories {\n        category\n        level\n      }\n      specialCategories\n    }\n    minCellSize\n    retentionDays\n  }\n}"): (typeof documents)["query Agreements {\n  agreements {\n    id\n    title\n    kind\n    status\n    effectiveFrom\n    expiresOn\n    parties {\n      code\n      name\n    }\n    grants {\n      purpose\n      subjectScope\n      categories {\n        category\n        level\n      }\n      specialCategories\n    }\n    minCellSize\n    retentionDays\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DataRequests($direction: RequestDirection, $status: RequestStatus) {\n  dataRequests(direction: $direction, status: $status) {\n    id\n    purpose\n    status\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n    decidedAt\n    decisionNote\n  }\n}"): (typeof documents)["query DataRequests($direction: RequestDirection, $status: RequestStatus) {\n  dataRequests(direction: $direction, status: $status) {\n    id\n    purpose\n    status\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n    decidedAt\n    decisionNote\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Entitlements {\n  entitlements {\n    agreementId\n    purpose\n    subjectScope\n    clearance\n    dataRequestId\n    recordAccess\n    recordAccessReason\n    fields {\n      coordinate\n      action\n      reason\n      strategy\n      condition\n    }\n    filters {\n      argument\n      permitted\n    }\n  }\n}"): (typeof documents)["query Entitlements {\n  entitlements {\n    agreementId\n    purpose\n    subjectScope\n    clearance\n    dataRequestId\n    recordAccess\n    recordAccessReason\n    fields {\n      coordinate\n      action\n      reason\n      strategy\n      condition\n    }\n    filters {\n      argument\n      permitted\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    sub\n    agency\n    party\n    clearance\n    roles\n  }\n}"): (typeof documents)["query Me {\n  me {\n    sub\n    agency\n    party\n    clearance\n    roles\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MigrantById($id: ID!) {\n  migrant(id: $id) {\n    id\n    holder {\n      code\n      name\n    }\n    givenName\n    familyName\n    dateOfBirth\n    sex\n    placeOfBirth\n    nationality\n    address {\n      line1\n      city\n      region\n      postalCode\n      country\n    }\n    documents {\n      type\n      number\n      issuingCountry\n      expiresOn\n    }\n    legalStatus\n    arrivalDate\n    family {\n      id\n      givenName\n      familyName\n    }\n    biometrics {\n      fingerprintTemplate\n      faceTemplate\n    }\n    health {\n      conditions\n      vulnerabilities\n    }\n    ethnicOrigin\n    religion\n    criminalRecord {\n      convictions {\n        offence\n        year\n        country\n      }\n    }\n    victimStatus {\n      status\n      identifiedOn\n      exploitationType\n    }\n    requests {\n      id\n      status\n      purpose\n    }\n  }\n}"): (typeof documents)["query MigrantById($id: ID!) {\n  migrant(id: $id) {\n    id\n    holder {\n      code\n      name\n    }\n    givenName\n    familyName\n    dateOfBirth\n    sex\n    placeOfBirth\n    nationality\n    address {\n      line1\n      city\n      region\n      postalCode\n      country\n    }\n    documents {\n      type\n      number\n      issuingCountry\n      expiresOn\n    }\n    legalStatus\n    arrivalDate\n    family {\n      id\n      givenName\n      familyName\n    }\n    biometrics {\n      fingerprintTemplate\n      faceTemplate\n    }\n    health {\n      conditions\n      vulnerabilities\n    }\n    ethnicOrigin\n    religion\n    criminalRecord {\n      convictions {\n        offence\n        year\n        country\n      }\n    }\n    victimStatus {\n      status\n      identifiedOn\n      exploitationType\n    }\n    requests {\n      id\n      status\n      purpose\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MigrantsPage($filter: MigrantFilter, $first: Int, $after: String) {\n  migrants(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        holder {\n          code\n        }\n        givenName\n        familyName\n        dateOfBirth\n        sex\n        nationality\n        legalStatus\n        arrivalDate\n        address {\n          city\n          country\n        }\n        documents {\n          type\n          number\n          issuingCountry\n          expiresOn\n        }\n        health {\n          conditions\n          vulnerabilities\n        }\n        religion\n        victimStatus {\n          status\n          identifiedOn\n          exploitationType\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query MigrantsPage($filter: MigrantFilter, $first: Int, $after: String) {\n  migrants(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        holder {\n          code\n        }\n        givenName\n        familyName\n        dateOfBirth\n        sex\n        nationality\n        legalStatus\n        arrivalDate\n        address {\n          city\n          country\n        }\n        documents {\n          type\n          number\n          issuingCountry\n          expiresOn\n        }\n        health {\n          conditions\n          vulnerabilities\n        }\n        religion\n        victimStatus {\n          status\n          identifiedOn\n          exploitationType\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Statistics($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {\n  statistics(groupBy: $groupBy, filter: $filter) {\n    groupBy\n    cells {\n      key\n      count\n      suppressed\n    }\n    total\n    suppressedCells\n    minCellSize\n  }\n}"): (typeof documents)["query Statistics($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {\n  statistics(groupBy: $groupBy, filter: $filter) {\n    groupBy\n    cells {\n      key\n      count\n      suppressed\n    }\n    total\n    suppressedCells\n    minCellSize\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SubmitDataRequest($input: SubmitDataRequestInput!) {\n  submitDataRequest(input: $input) {\n    id\n    status\n    purpose\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n  }\n}"): (typeof documents)["mutation SubmitDataRequest($input: SubmitDataRequestInput!) {\n  submitDataRequest(input: $input) {\n    id\n    status\n    purpose\n    categories\n    justification\n    requestingParty {\n      code\n    }\n    requestedParty {\n      code\n    }\n    subjects {\n      id\n    }\n    submittedAt\n    validUntil\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;