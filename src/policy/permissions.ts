/**
 * Who may call what (contract section 7), as one table: the roles each operation needs,
 * and whether the caller's party must be the record's holder (or the request's requested
 * party). The resolvers look the operation up here and supply the facts (the holder) they
 * read; the refusals' words are the table's.
 */
import type { Role } from './taxonomy';

export type GuardedOperation =
  | 'auditIntegrity'
  | 'disclosureHistory'
  | 'decideDataRequest'
  | 'recordConsent'
  | 'withdrawConsent'
  | 'rectifyMigrant'
  | 'eraseMigrant'
  | 'acknowledgeNotice';

interface Permission {
  /** Any one of these roles. */
  readonly roles: readonly Role[];
  /** Roles that need the caller's party to hold the record (the others act on any record). */
  readonly holderOnly: readonly Role[];
  /** The refusal when no role allows it. */
  readonly message: string;
}

const HOLDER_DATA_CONTROLLER: Permission = {
  roles: ['DATA_CONTROLLER'],
  holderOnly: ['DATA_CONTROLLER'],
  message: "This needs the role DATA_CONTROLLER of the record's holder.",
};

export const PERMISSIONS: Readonly<Record<GuardedOperation, Permission>> = {
  auditIntegrity: { roles: ['OVERSIGHT'], holderOnly: [], message: 'auditIntegrity needs the role OVERSIGHT.' },
  disclosureHistory: { roles: ['OVERSIGHT', 'DATA_CONTROLLER'], holderOnly: ['DATA_CONTROLLER'], message: "disclosureHistory needs OVERSIGHT, or DATA_CONTROLLER of the record's holder." },
  decideDataRequest: { roles: ['DATA_CONTROLLER'], holderOnly: [], message: 'Deciding needs the role DATA_CONTROLLER.' },
  recordConsent: HOLDER_DATA_CONTROLLER,
  withdrawConsent: HOLDER_DATA_CONTROLLER,
  rectifyMigrant: HOLDER_DATA_CONTROLLER,
  eraseMigrant: HOLDER_DATA_CONTROLLER,
  acknowledgeNotice: { roles: ['DATA_CONTROLLER'], holderOnly: [], message: 'Acknowledging a notice needs the role DATA_CONTROLLER.' },
};

/**
 * Whether `roles` may perform `operation`; `holdsRecord` says whether the caller's party
 * holds the record concerned (omitted where no record is concerned). The message is the
 * refusal's when it may not.
 */
export function permitted(operation: GuardedOperation, roles: readonly Role[], holdsRecord?: boolean): { ok: true } | { ok: false; message: string } {
  const permission = PERMISSIONS[operation];
  const allowedBy = permission.roles.filter((role) => roles.includes(role));
  const ok = allowedBy.some((role) => !permission.holderOnly.includes(role) || holdsRecord === true);
  return ok ? { ok: true } : { ok: false, message: permission.message };
}

/** Whether some role of `roles` may perform `operation` on some record (before the record is read). */
export function mayAttempt(operation: GuardedOperation, roles: readonly Role[]): boolean {
  return PERMISSIONS[operation].roles.some((role) => roles.includes(role));
}
