/**
 * Execution by compiled queries: graphql-jit compiles each operation of a document once
 * into a function over the gateway's schema, remembered with the document (which the
 * document analysis hands Apollo Server, the same object for the same text), and Apollo
 * Server runs it through its gateway interface (a custom executor), in place of
 * graphql-js's interpreter.
 *
 * The compiled function calls the same field resolvers: the privacy directives' wrappers
 * stay the only path to an annotated value. Variables are coerced by graphql-js first, so
 * a variable that does not coerce is refused exactly as without compilation (the same
 * error, with its location, BAD_USER_INPUT); the compiled function then coerces the same
 * inputs for itself.
 *
 * graphql-jit (zalando-incubator/graphql-jit) is kept up (releases through 2025), used in
 * production behind Mercurius, and its output is checked here by the whole suite: the
 * fixture matrix, the property test against an independent oracle and the fuzz corpus
 * run on it.
 */
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getVariableValues, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Compiled = CompiledQuery | ExecutionResult;

/** The compiled operations of each document, by operation name ('' for the only one). */
const compiledByDocument = new WeakMap<DocumentNode, Map<string, Compiled>>();

function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): Compiled {
  let byName = compiledByDocument.get(document);
  if (!byName) {
    byName = new Map();
    compiledByDocument.set(document, byName);
  }
  const key = operationName ?? '';
  let compiled = byName.get(key);
  if (!compiled) {
    compiled = compileQuery(schema, document, operationName ?? undefined);
    byName.set(key, compiled);
  }
  return compiled;
}

/** Runs an operation of a validated document with the compiled function of that document. */
export function createCompiledExecutor(schema: GraphQLSchema): GatewayExecutor {
  return async (requestContext) => {
    const { document, operation, operationName, request, context } = requestContext;
    const inputs = request.variables ?? {};
    // No operation to run (none named so, or several and no name): graphql-js says which,
    // as it would without compilation, and runs nothing.
    if (!operation) return execute({ schema, document, operationName: request.operationName ?? null, contextValue: context, variableValues: inputs });
    const coerced = getVariableValues(schema, (operation as OperationDefinitionNode).variableDefinitions ?? [], inputs);
    if (coerced.errors) return { errors: coerced.errors };
    const compiled = compiledFor(schema, document, operationName);
    if (!isCompiledQuery(compiled)) return compiled.errors ? { errors: compiled.errors } : { errors: [new GraphQLError('The operation could not be compiled.')] };
    const result = await compiled.query(undefined, context, inputs);
    return result.errors ? { ...result, errors: result.errors.map(asGraphqlJsError) } : result;
  };
}

/**
 * graphql-jit's errors leave `extensions` undefined where graphql-js sets `{}` (or the
 * original error's), which Apollo Server's error formatting reads: made as graphql-js
 * makes them, the original error (a resolver's refusal, a database outage) kept.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  if (error.extensions !== undefined) return error;
  const original = error.originalError ?? undefined;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(original ? { originalError: original } : {}),
    extensions: (original as { extensions?: Record<string, unknown> } | undefined)?.extensions ?? {},
  });
}

/**
 * The gateway interface Apollo Server takes a custom executor through: it serves `schema`
 * (never changing) and executes with `createCompiledExecutor`.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const executor = createCompiledExecutor(schema);
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}
