/** The authenticator the configuration asks for: configured keys, a JWKS, or (outside production) the development keys. */
import type { GatewayConfig } from '../server/config';
import { createAuthenticator, type Authenticate } from './authenticate';
import { DEV_AUDIENCE, DEV_ISSUER, devPublicKeys } from './devKeys';
import { resolvePublicKeySetting } from './loadPublicKey';

export async function authenticatorFromConfig(config: GatewayConfig): Promise<Authenticate> {
  const { jwt } = config;
  if (jwt.useDevKeys) {
    if (config.production) throw new Error('development keys are never used in production');
    return createAuthenticator({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, publicKeys: devPublicKeys() });
  }
  if (jwt.jwksUrl) return createAuthenticator({ issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwksUrl });
  if (!jwt.publicKey) throw new Error('JWT_PUBLIC_KEY or JWT_JWKS_URL is required');
  return createAuthenticator({ issuer: jwt.issuer, audience: jwt.audience, publicKeys: [resolvePublicKeySetting(jwt.publicKey)] });
}
