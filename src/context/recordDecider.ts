/**
 * The record decider of one request: what the directives' field wrapper calls
 * (directives/enforce.ts). It finishes the decision table's static decision with the
 * per-record facts (active consent, data-request subjects) and records each decision in
 * the disclosure ledger, for the record it belongs to.
 *
 * A field's record is its parent: a migrant document, or an object adopted from one (an
 * address, a document, a health record). Records of their own (family members, request
 * subjects) keep their own identity.
 */
import type { PrivacyRuntime } from '../../directives/index';
import { decideForRecord, type Decision } from '../policy/decide';
import type { DecisionTable } from '../policy/decisionTable';
import type { DisclosureLedger } from './disclosureLedger';

export interface RecordFactsSource {
  /** Internal ids of the subjects of the request's data request (none without one). */
  readonly requestSubjects: ReadonlySet<string>;
  /** Whether the subject (internal id) has an active consent for the purpose: a batched loader. */
  consentOf(subjectId: string): Promise<boolean>;
}

export function createRecordDecider(table: DecisionTable, ledger: Pick<DisclosureLedger, 'record'>, facts: RecordFactsSource): PrivacyRuntime {
  const owners = new WeakMap<object, string>();

  /** The internal id of the record `source` belongs to: a migrant document, or an object adopted from one. */
  const ownerOf = (source: unknown): string | null => {
    if (typeof source !== 'object' || source === null) return null;
    const adopted = owners.get(source);
    if (adopted !== undefined) return adopted;
    const id = (source as { _id?: unknown })._id;
    return typeof id === 'string' ? id : null;
  };

  return {
    decide(policy, source) {
      const staticDecision = table.staticDecision(policy.coordinate);
      const owner = ownerOf(source);
      const coveredByRequest = owner !== null && facts.requestSubjects.has(owner);
      // Only consent-dependent fields wait for a fact: the consent loader batches the
      // records of one level into one read, in parallel with the level's other reads.
      if (staticDecision.action === 'NEEDS_CONSENT' && owner !== null) {
        return facts.consentOf(owner).then((activeConsent): Decision => {
          const decision = decideForRecord(staticDecision, { activeConsent, coveredByRequest });
          ledger.record(policy.coordinate, decision, owner);
          return decision;
        });
      }
      const decision = decideForRecord(staticDecision, { activeConsent: false, coveredByRequest });
      ledger.record(policy.coordinate, decision, owner);
      return decision;
    },
    adopt(source, value) {
      const owner = ownerOf(source);
      if (owner === null) return;
      const adoptOne = (v: unknown): void => {
        if (typeof v === 'object' && v !== null && typeof (v as { _id?: unknown })._id !== 'string') owners.set(v, owner);
      };
      if (Array.isArray(value)) value.forEach(adoptOne);
      else adoptOne(value);
    },
  };
}
