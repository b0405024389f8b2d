/**
 * Minimisation strategies (data minimisation): the reduced form of a value at MINIMISED
 * access. Each keeps the field's type. A value that can't be reduced safely yields
 * null, never the full value.
 */
import type { MinimiseStrategy } from './taxonomy';

/** The minimised form of `value`, or null. */
export function minimise(strategy: MinimiseStrategy, value: unknown): string | null {
  switch (strategy) {
    case 'YEAR':
      return datePrefix(value, 4);
    case 'YEAR_MONTH':
      return datePrefix(value, 7);
    case 'INITIAL':
      return initial(value);
    case 'LAST_FOUR':
      return lastFour(value);
    default: {
      const unreachable: never = strategy;
      throw new TypeError(`unknown minimise strategy ${String(unreachable)}`);
    }
  }
}

/** `1987-05-12` → `1987` (4) or `1987-05` (7). Accepts a Date or an ISO date string. */
function datePrefix(value: unknown, length: 4 | 7): string | null {
  const iso = value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value;
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}/.test(iso)) return null;
  return iso.slice(0, length);
}

/** `Amara` → `A.`: the first character (a whole code point), then a full stop. */
function initial(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const first = Array.from(value.trim())[0];
  return first === undefined ? null : `${first.toLocaleUpperCase()}.`;
}

/**
 * `A12345678` → `****5678`. A value of four characters or fewer would be disclosed
 * whole, so it becomes `****`.
 */
function lastFour(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  const chars = Array.from(value);
  return chars.length <= 4 ? '****' : `****${chars.slice(-4).join('')}`;
}
