/** The authenticator that trusts the development keys: for tests and development only. */
import { createAuthenticator, type Authenticate } from './authenticate';
import { DEV_AUDIENCE, DEV_ISSUER, devPublicKeys } from './devKeys';

export function createDevAuthenticator(): Promise<Authenticate> {
  if (process.env['NODE_ENV'] === 'production') throw new Error('development keys are never used in production');
  return createAuthenticator({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, publicKeys: devPublicKeys() });
}
