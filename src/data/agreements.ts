/**
 * Reads of agreements and parties. Agreements are policy: they are read by id for the
 * treaty context and listed for the caller's party.
 */
import type { Collections } from './database';
import type { AgreementDoc, PartyDoc } from './documents';

/** The agreement with this id, or null. */
export async function findAgreement(collections: Collections, id: string): Promise<AgreementDoc | null> {
  return collections.agreements.findOne({ _id: id });
}

/** Agreements with these ids (any order). */
export async function findAgreementsByIds(collections: Collections, ids: readonly string[]): Promise<AgreementDoc[]> {
  return collections.agreements.find({ _id: { $in: [...ids] } }).toArray();
}

/** The agreements `party` is a party to, by id. */
export async function findAgreementsOfParty(collections: Collections, party: string): Promise<AgreementDoc[]> {
  return collections.agreements.find({ parties: party }, { sort: { _id: 1 } }).toArray();
}

/** Parties with these codes (any order). */
export async function findPartiesByCodes(collections: Collections, codes: readonly string[]): Promise<PartyDoc[]> {
  return collections.parties.find({ _id: { $in: [...codes] } }).toArray();
}
