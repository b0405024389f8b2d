/**
 * The one page-size rule of every connection (`migrants`, `disclosureHistory`, `notices`):
 * `first` defaults to 50 (or the largest page, when that is smaller) and must be an
 * integer from 0 to the largest page (MAX_PAGE_SIZE). The operation limits apply it
 * before execution, the resolvers again (the limits may be off in a test).
 */

/** Items of a page when `first` is not given. */
export const DEFAULT_PAGE_SIZE = 50;

/** The page size `first` asks for, or a problem (a sentence naming the bound) when it is not allowed. */
export function pageSizeOf(first: unknown, maxPageSize: number): { size: number } | { problem: string } {
  if (first === undefined || first === null) return { size: Math.min(DEFAULT_PAGE_SIZE, maxPageSize) };
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > maxPageSize) {
    return { problem: `\`first\` must be an integer from 0 to ${maxPageSize}.` };
  }
  return { size: first };
}
