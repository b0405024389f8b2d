/**
 * What the gateway builds each request's context from (src/context/requestContext.ts),
 * for tests that build contexts themselves on a test database: the gateway's schema
 * policies and decision table, agreements read directly (no cache), no audit verifier.
 */
import type { Db } from 'mongodb';
import type { GraphQLSchema } from 'graphql';
import { collectFieldPolicies } from '../../directives/index';
import type { RequestContextSources } from '../../src/context/requestContext';
import { findAgreement } from '../../src/data/agreements';
import { collectionsOf } from '../../src/data/database';
import { createDecisionTable } from '../../src/policy/decisionTable';

export function contextSourcesFor(db: Db, schema: GraphQLSchema, pseudonymKey: Buffer): RequestContextSources {
  const collections = collectionsOf(db);
  return {
    collections,
    policies: collectFieldPolicies(schema),
    decisionTable: createDecisionTable,
    agreement: (id) => findAgreement(collections, id),
    pseudonymKey,
    maxPageSize: 500,
    verifyAudit: () => Promise.reject(new Error('not in this test')),
  };
}
