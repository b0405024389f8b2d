/**
 * Keeps the agreement cache of this gateway instance in step with the database: while
 * Apollo Server runs, the agreements collection is watched (a change stream, where the
 * server has them) and each changed agreement is dropped from the cache at once. Where
 * there is no change stream, the cache's TTL (AGREEMENT_CACHE_TTL_MS) is the bound
 * (src/data/agreementChanges.ts). The watch is closed when Apollo Server stops.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { AgreementCache } from '../../context/agreementCache';
import { watchAgreementChanges, type WatchableAgreements } from '../../data/agreementChanges';
import type { GatewayContext } from '../GatewayContext';
import type { Logger } from '../logger';

export function agreementChangesPlugin(
  agreements: WatchableAgreements,
  cache: Pick<AgreementCache<unknown>, 'invalidate'>,
  logger: Logger,
): ApolloServerPlugin<GatewayContext> {
  return {
    async serverWillStart() {
      const watch = watchAgreementChanges(agreements, { changed: (id) => cache.invalidate(id), all: () => cache.invalidate() }, logger);
      return {
        async serverWillStop() {
          await watch.close();
        },
      };
    },
  };
}
