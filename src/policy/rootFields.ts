/**
 * Which root fields run without a treaty context, and which an aggregate-only grant
 * answers (contract sections 1 and 5). The treaty guard (src/server/plugins/treatyGuard.ts)
 * applies them before execution.
 */

/** Root fields that need a token but no treaty context. */
export const TREATY_FREE_ROOT_FIELDS: ReadonlySet<string> = new Set(['me', 'agreements', 'agreement', 'auditIntegrity', '__typename', '__schema', '__type']);

/**
 * Query fields an aggregate-only grant answers besides the treaty-free ones: counts with
 * disclosure control and the decision table. Neither returns a record or a pseudonym.
 * Deny by default: every other root field (every mutation, and any field added later) is
 * refused under such a grant until it is listed here.
 */
export const AGGREGATE_ONLY_ROOT_FIELDS: ReadonlySet<string> = new Set(['statistics', 'entitlements']);

/** Whether a root field of an operation of `kind` runs under an aggregate-only grant. */
export function answeredUnderAggregateOnly(kind: 'query' | 'mutation' | 'subscription', name: string): boolean {
  return name === '__typename' || (kind === 'query' && (TREATY_FREE_ROOT_FIELDS.has(name) || AGGREGATE_ONLY_ROOT_FIELDS.has(name)));
}

/** Whether an operation of `kind` with these root fields needs a treaty context (reads records). */
export function needsTreatyContext(kind: 'query' | 'mutation' | 'subscription', rootFields: readonly string[]): boolean {
  return kind !== 'query' || rootFields.some((name) => !TREATY_FREE_ROOT_FIELDS.has(name));
}
