/**
 * The analysis of a document, once per text: parsed, validated, measured against the
 * operation limits and its selection walked here, before Apollo Server sees the request,
 * and handed on. Apollo Server takes the parsed and validated document from this
 * module's document store (it parses and validates only what was not valid here, to
 * report it as usual), and the plugins and resolvers read the walked selection by the
 * document's nodes (src/context/selection.ts).
 *
 * Operation limits (contract section 8) are checked on the document before Apollo Server
 * sees it, so an operation past a limit costs no treaty resolution and no database read:
 *
 * - tokens: graphql-js's parser stops at `maxTokens` (a huge document is never parsed whole);
 * - depth, aliases and directives: the graphql-armor validation rules;
 * - cost: graphql-query-complexity with an estimator that counts list sizes: a field costs
 *   1 plus its children times the number of items it may return: `first` (default 50)
 *   for pages, a typical size for other lists (5 family members, 3 documents, ...);
 * - `first` above MAX_PAGE_SIZE (or negative): BAD_USER_INPUT, as the resolvers would say.
 *
 * What the text alone decides is checked in one validation pass with the standard rules,
 * the limits and the rules Apollo Server adds (no introspection where it is disabled),
 * and remembered per text; the cost is computed per request. A document that is not
 * valid GraphQL is left to Apollo Server, which reports it as usual.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerOptions, BaseContext } from '@apollo/server';
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
import { pageSizeOf } from '../policy/paging';
import { analyseSelection } from '../context/selection';

export interface OperationLimitSettings {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  readonly maxPageSize: number;
  /** Whether introspection is answered (Apollo Server refuses `__schema` and `__type` otherwise). */
  readonly introspection: boolean;
}

/** Where Apollo Server looks up a document before parsing it (by `<schema hash>:<sha-256 of the text>`). */
export type DocumentStore = NonNullable<ApolloServerOptions<BaseContext>['documentStore']>;

export type LimitVerdict =
  | { readonly ok: true; readonly document: DocumentNode | null; readonly cost: number | null }
  | { readonly ok: false; readonly code: 'QUERY_TOO_COMPLEX' | 'BAD_USER_INPUT'; readonly message: string };

/** `first` when a page is asked for without one (as the resolvers do). */

/** Items a list field returns, as the cost counts them, where no `first` says. */
const LIST_SIZES: Readonly<Record<string, number>> = {
  'MigrantConnection.edges': 1, // sized by the connection's `first`
  'Migrant.family': 5,
  'Migrant.documents': 3,
  'Migrant.requests': 5,
  'DataRequest.subjects': 20,
  'Query.dataRequests': 50,
  'Query.agreements': 10,
  'DisclosureConnection.edges': 1, // sized by the connection's `first`, as `migrants`
  'NoticeConnection.edges': 1, // sized by the connection's `first`, as `migrants`
  'Statistics.cells': 1, // a table's cost is the database's aggregation, not its cells
};
const DEFAULT_LIST_SIZE = 10;

/** Documents whose verdict is remembered, and the longest text remembered (memory stays under ~20 MB). */
const TEXT_CACHE_ENTRIES = 1_000;
const MAX_CACHED_TEXT = 20_000;

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

/**
 * What a document's text alone decides (parse, standard validation, depth, aliases,
 * directives), remembered per text: clients send the same few documents over and
 * over, so the hot path parses and validates each once. Only the cost, which depends
 * on the variables, is computed per request.
 */
interface TextVerdict {
  readonly document: DocumentNode | null;
  readonly refusal: LimitVerdict | null;
  readonly limitMessages: readonly string[];
  /** Valid under every rule Apollo Server would apply, and within the limits of the text. */
  readonly valid: boolean;
}

/** Apollo Server's rule where introspection is disabled, as it words it: `__schema` and `__type` are refused. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') context.reportError(new GraphQLError('introspection is disabled', { nodes: [node] }));
  },
});

export interface DocumentAnalysis {
  /** Checks the operation `text` (with its variables) against every limit, analysing its document once per text. */
  check(text: string, variables: Record<string, unknown> | undefined, operationName: string | undefined): LimitVerdict;
  /** Apollo Server's document store: the documents found valid here, by the hash of their text. */
  readonly documentStore: DocumentStore;
}

export function createDocumentAnalysis(schema: GraphQLSchema, settings: OperationLimitSettings): DocumentAnalysis {
  const textRules: ValidationRule[] = [
    ...specifiedRules,
    armor(maxDepthRule as never, { n: settings.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    armor(maxAliasesRule as never, { n: settings.maxAliases }),
    armor(maxDirectivesRule as never, { n: settings.maxDirectives }),
    ...(settings.introspection ? [] : [noIntrospection]),
  ];
  const byText = new Map<string, TextVerdict & { readonly hash: string }>();
  const byHash = new Map<string, DocumentNode>();

  function check(text: string, variables: Record<string, unknown> | undefined, operationName: string | undefined): LimitVerdict {
    let verdict = byText.get(text);
    if (verdict) {
      byText.delete(text);
    } else {
      verdict = { ...judgeText(schema, textRules, settings, text), hash: sha256(text) };
      // Walked once, here; read by the treaty guard, the audit and the resolvers.
      if (verdict.document) analyseSelection(verdict.document);
    }
    // Most recently used last; bounded in entries and in size (long texts are not kept,
    // and Apollo Server parses them itself).
    if (text.length <= MAX_CACHED_TEXT) {
      byText.set(text, verdict);
      if (verdict.valid && verdict.limitMessages.length === 0 && verdict.document) byHash.set(verdict.hash, verdict.document);
      if (byText.size > TEXT_CACHE_ENTRIES) {
        const [, oldest] = byText.entries().next().value!;
        byText.delete(byText.keys().next().value!);
        byHash.delete(oldest.hash);
      }
    }
    if (verdict.refusal) return verdict.refusal;
    const { document } = verdict;
    if (!document) return { ok: true, document: null, cost: null };
    return judgeCost(schema, settings, verdict, document, variables, operationName);
  }

  // Only documents valid under every rule Apollo Server applies are handed on, so its
  // skipping parse and validation for them changes no answer. What it stores is ignored:
  // this module decides what is valid.
  const documentStore: DocumentStore = {
    get: async (key) => byHash.get(key.slice(key.lastIndexOf(':') + 1)),
    set: async () => undefined,
    delete: async () => undefined,
  };
  return { check, documentStore };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Parses and validates a document's text under the static limits. */
function judgeText(schema: GraphQLSchema, rules: readonly ValidationRule[], settings: OperationLimitSettings, text: string): TextVerdict {
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: settings.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError && /tokens\. Parsing aborted/.test(error.message)) {
      return { document: null, refusal: { ok: false, code: 'QUERY_TOO_COMPLEX', message: `The document has more than ${settings.maxTokens} tokens (MAX_TOKENS).` }, limitMessages: [], valid: false };
    }
    // The parser is recursive: nesting deep enough (`[[[[…`) exhausts the stack before
    // the token limit. Never handed on (Apollo Server would parse it again).
    if (!(error instanceof GraphQLError)) {
      return { document: null, refusal: { ok: false, code: 'QUERY_TOO_COMPLEX', message: 'The document nests too deeply to be parsed.' }, limitMessages: [], valid: false };
    }
    // Not GraphQL: Apollo Server reports the syntax error as usual.
    return { document: null, refusal: null, limitMessages: [], valid: false };
  }
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules, { maxErrors: 50 });
  } catch {
    // A rule that cannot judge the document: Apollo Server's own validation reports it.
    return { document, refusal: null, limitMessages: [], valid: false };
  }
  const limitMessages = errors.filter(isLimitError).map((e) => e.message);
  return { document, refusal: null, limitMessages, valid: errors.length === limitMessages.length };
}

/** The cost of a document with its variables (list sizes by `first`, by the one page-size rule), and the final verdict. */
function judgeCost(
  schema: GraphQLSchema,
  settings: OperationLimitSettings,
  verdict: TextVerdict,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): LimitVerdict {
  const pageProblems: string[] = [];
  let cost: number | null = null;
  const complexity = createComplexityRule({
    maximumComplexity: settings.maxCost,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [listSizeEstimator(settings.maxPageSize, pageProblems)],
    onComplete: (c: number) => {
      cost = c;
    },
    createError: (max: number, actual: number) => limitError(`The operation costs ${actual}, more than ${max} (MAX_COST); ask for fewer records or fields.`),
  });
  let costMessages: string[] = [];
  try {
    costMessages = validate(schema, document, [complexity]).filter(isLimitError).map((e) => e.message);
  } catch {
    // Variables the estimator cannot read (wrong types, ...): Apollo Server's variable
    // coercion reports them; the limits of the text itself still apply below.
  }
  const limits = [...verdict.limitMessages, ...costMessages];
  if (limits.length > 0) return { ok: false, code: 'QUERY_TOO_COMPLEX', message: limits.join(' ') };
  if (!verdict.valid) return { ok: true, document, cost: null };
  if (pageProblems.length > 0) return { ok: false, code: 'BAD_USER_INPUT', message: pageProblems[0]! };
  return { ok: true, document, cost };
}

/** A field costs 1 plus its children times the items it may return: `first`, a known list size, or 10. */
function listSizeEstimator(maxPageSize: number, problems: string[]): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    let size: number;
    if (field.args.some((a) => a.name === 'first')) {
      const page = pageSizeOf(args['first'] as unknown, maxPageSize);
      if ('size' in page) size = page.size;
      else {
        problems.push(page.problem);
        size = maxPageSize;
      }
    } else if (isListType(getNullableType(field.type)) && getNamedType(field.type) !== undefined) {
      size = LIST_SIZES[`${type.name}.${field.name}`] ?? DEFAULT_LIST_SIZE;
    } else size = 1;
    return 1 + size * childComplexity;
  };
}
