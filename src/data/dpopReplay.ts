/**
 * The replay cache of DPoP proofs (RFC 9449, section 11.1), shared by every gateway
 * instance: one document per proof seen (the hash of its key thumbprint and `jti`),
 * removed by a TTL index once the proof could no longer be accepted anyway. The unique
 * `_id` makes the check and the write one atomic step: of two instances that receive the
 * same proof, exactly one inserts it; the other is told it is a replay.
 */
import { MongoServerError, type Collection, type Db } from 'mongodb';

export const DPOP_PROOFS = 'dpopProofs';

export interface DpopProofDoc {
  _id: string;
  expiresAt: Date;
}

/** Remembers proof ids in `collection`; false when the id was there already. */
export function createReplayCache(collection: Collection<DpopProofDoc>): { remember(id: string, until: Date): Promise<boolean> } {
  return {
    async remember(id, until) {
      try {
        await collection.insertOne({ _id: id, expiresAt: until });
        return true;
      } catch (error) {
        if (error instanceof MongoServerError && error.code === 11000) return false;
        throw error;
      }
    },
  };
}

/** The TTL index that removes proofs once they have expired. */
export async function ensureDpopIndexes(db: Db): Promise<void> {
  await db.collection<DpopProofDoc>(DPOP_PROOFS).createIndexes([{ key: { expiresAt: 1 }, name: 'expires', expireAfterSeconds: 0 }]);
}
