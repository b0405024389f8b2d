/** The authenticator that trusts the development keys: for tests and development only. */
import { createAuthenticator, type Authenticate } from '../context/authenticate';
import { devAuthConfig } from './devKeys';

export function createDevAuthenticator(): Authenticate {
  return createAuthenticator(devAuthConfig());
}
