/**
 * Operation limits (contract section 8), checked on the document before Apollo Server
 * sees it, so an operation past a limit costs no treaty resolution and no database read:
 *
 * - tokens: graphql-js's parser stops at `maxTokens` (a huge document is never parsed whole);
 * - depth, aliases and directives: the graphql-armor validation rules;
 * - cost: graphql-query-complexity with an estimator that counts list sizes: a field costs
 *   1 plus its children times the number of items it may return: `first` (default 50)
 *   for pages, a typical size for other lists (5 family members, 3 documents, ...);
 * - `first` above MAX_PAGE_SIZE (or negative): BAD_USER_INPUT, as the resolvers would say.
 *
 * Every limit is checked in one validation pass, together with the standard rules. A
 * document that is not valid GraphQL is left to Apollo Server, which reports it as usual.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createComplexityRule, type ComplexityEstimator } from 'graphql-query-complexity';

export interface OperationLimitSettings {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  readonly maxPageSize: number;
}

export type LimitVerdict =
  | { readonly ok: true; readonly document: DocumentNode | null; readonly cost: number | null }
  | { readonly ok: false; readonly code: 'QUERY_TOO_COMPLEX' | 'BAD_USER_INPUT'; readonly message: string };

/** `first` when a page is asked for without one (as the resolvers do). */
const DEFAULT_PAGE_SIZE = 50;

/** Items a list field returns, as the cost counts them, where no `first` says. */
const LIST_SIZES: Readonly<Record<string, number>> = {
  'MigrantConnection.edges': 1, // sized by the connection's `first`
  'Migrant.family': 5,
  'Migrant.documents': 3,
  'Migrant.requests': 5,
  'DataRequest.subjects': 20,
  'Query.dataRequests': 50,
  'Query.agreements': 10,
  'Query.disclosureHistory': 100,
  'Statistics.cells': 1, // a table's cost is the database's aggregation, not its cells
};
const DEFAULT_LIST_SIZE = 10;

/** Marks an error as a limit refusal (validation rules can only report GraphQLErrors). */
const LIMIT = Symbol('operation limit');

function limitError(message: string): GraphQLError {
  const error = new GraphQLError(message.replace(/^Syntax Error: /, ''));
  (error as unknown as Record<symbol, true>)[LIMIT] = true;
  return error;
}

function isLimitError(error: GraphQLError): boolean {
  return (error as unknown as Record<symbol, unknown>)[LIMIT] === true;
}

/** An armor rule whose refusals are reported (not thrown) as limit errors. */
function armor(rule: (options: never) => ValidationRule, options: Record<string, unknown>): ValidationRule {
  return (rule as (o: Record<string, unknown>) => ValidationRule)({
    ...options,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(error.message))],
  });
}

export function createOperationLimits(schema: GraphQLSchema, settings: OperationLimitSettings) {
  const pageSizeProblems = (problems: string[]): ComplexityEstimator => ({ type, field, args, childComplexity }) => {
    let size: number;
    if (field.args.some((a) => a.name === 'first')) {
      const first = args['first'] as unknown;
      if (first === undefined || first === null) size = Math.min(DEFAULT_PAGE_SIZE, settings.maxPageSize);
      else if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > settings.maxPageSize) {
        problems.push(`\`first\` must be an integer from 0 to ${settings.maxPageSize}.`);
        size = settings.maxPageSize;
      } else size = first;
    } else if (isListType(getNullableType(field.type)) && getNamedType(field.type) !== undefined) {
      size = LIST_SIZES[`${type.name}.${field.name}`] ?? DEFAULT_LIST_SIZE;
    } else size = 1;
    return 1 + size * childComplexity;
  };

  /** Checks the operation `text` (with its variables) against every limit. */
  function check(text: string, variables: Record<string, unknown> | undefined, operationName: string | undefined): LimitVerdict {
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens: settings.maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && /tokens\. Parsing aborted/.test(error.message)) {
        return { ok: false, code: 'QUERY_TOO_COMPLEX', message: `The document has more than ${settings.maxTokens} tokens (MAX_TOKENS).` };
      }
      // The parser is recursive: nesting deep enough (`[[[[…`) exhausts the stack before
      // the token limit. Never handed on (Apollo Server would parse it again).
      if (!(error instanceof GraphQLError)) {
        return { ok: false, code: 'QUERY_TOO_COMPLEX', message: 'The document nests too deeply to be parsed.' };
      }
      // Not GraphQL: Apollo Server reports the syntax error as usual.
      return { ok: true, document: null, cost: null };
    }
    const pageProblems: string[] = [];
    let cost: number | null = null;
    const rules: ValidationRule[] = [
      ...specifiedRules,
      armor(maxDepthRule as never, { n: settings.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
      armor(maxAliasesRule as never, { n: settings.maxAliases }),
      armor(maxDirectivesRule as never, { n: settings.maxDirectives }),
      createComplexityRule({
        maximumComplexity: settings.maxCost,
        variables: variables ?? {},
        ...(operationName ? { operationName } : {}),
        estimators: [pageSizeProblems(pageProblems)],
        onComplete: (complexity: number) => {
          cost = complexity;
        },
        createError: (max: number, actual: number) => limitError(`The operation costs ${actual}, more than ${max} (MAX_COST); ask for fewer records or fields.`),
      }),
    ];
    let errors: readonly GraphQLError[];
    try {
      errors = validate(schema, document, rules, { maxErrors: 50 });
    } catch {
      // A rule that cannot judge the document (variables of the wrong type, ...): Apollo
      // Server's own validation and variable coercion report it.
      return { ok: true, document, cost: null };
    }
    const limits = errors.filter(isLimitError);
    if (limits.length > 0) return { ok: false, code: 'QUERY_TOO_COMPLEX', message: limits.map((e) => e.message).join(' ') };
    if (errors.length > 0) return { ok: true, document, cost: null };
    if (pageProblems.length > 0) return { ok: false, code: 'BAD_USER_INPUT', message: pageProblems[0]! };
    return { ok: true, document, cost };
  }

  return { check };
}
