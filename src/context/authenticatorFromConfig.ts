/** The authenticator the configuration asks for: configured keys, a JWKS, or (outside production) the development keys. */
import type { GatewayConfig } from '../server/config';
import { createAuthenticator, type Authenticate } from './authenticate';
import { devAuthConfig } from './devKeys';
import { resolvePublicKeySetting } from './loadPublicKey';

export function authenticatorFromConfig(config: GatewayConfig): Authenticate {
  const { jwt } = config;
  if (jwt.useDevKeys) return createAuthenticator(devAuthConfig());
  if (jwt.jwksUrl) return createAuthenticator({ issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwksUrl });
  if (!jwt.publicKey) throw new Error('JWT_PUBLIC_KEY or JWT_JWKS_URL is required');
  return createAuthenticator({ issuer: jwt.issuer, audience: jwt.audience, publicKey: resolvePublicKeySetting(jwt.publicKey) });
}
