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
import type { GatewayContext } from '../../context/GatewayContext';
import type { Logger } from '../logger';

export function agreementChangesPlugin(
  agreements: WatchableAgreements,
  cache: Pick<AgreementCache<unknown>, 'invalidate'>,
  logger: Logger,
  options: { subject?: { name: string; ttlSetting: string }; wholeCollection?: boolean } = {},
): ApolloServerPlugin<GatewayContext> {
  return {
    async serverWillStart() {
      // A cache of the whole collection (the trust registry) is dropped whole on any change.
      const changed = options.wholeCollection ? () => cache.invalidate() : (id: string) => cache.invalidate(id);
      const watch = watchAgreementChanges(agreements, { changed, all: () => cache.invalidate() }, logger, options.subject ? { subject: options.subject } : {});
      return {
        async serverWillStop() {
          await watch.close();
        },
      };
    },
  };
}
