/**
 * The self-hosted explorer at /explorer (contract section 8): GraphiQL bundled at build
 * time (`npm run build:explorer`, into dist/explorer/) and served from here, so the page
 * loads nothing from any other host. Every response carries a strict Content-Security-
 * Policy; the page has no inline script and reads its configuration from config.json.
 *
 *   GET /explorer                 redirects to /explorer/ (the page's relative URLs)
 *   GET /explorer/                the page (no-cache)
 *   GET /explorer/assets/*        hashed bundle files (cached for a year, immutable)
 *   GET /explorer/config.json     { production, personas, endpoint, schema, introspection }
 *   GET /explorer/personas.json   development only: the personas with freshly signed
 *                                 development tokens (1 hour); 404 in production
 *
 * Without a bundle the page answers 503 naming `npm run build:explorer`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { devIssuerOf, signDevToken } from '../dev/devKeys';
import { projectPath } from '../projectRoot';
import type { Logger } from './logger';
import { PERSONAS } from '../dev/personas';

/** Where `npm run build:explorer` writes the bundle. */
export const EXPLORER_BUNDLE_DIR = projectPath('dist', 'explorer');

/**
 * The policy of every /explorer response. Monaco adds <style> elements at run time
 * (hence 'unsafe-inline' for styles only); fonts and a few icons are data: URLs inside
 * the bundled CSS; workers are files of the bundle. Scripts, requests, frames and forms
 * are limited to this origin or refused.
 */
export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Lifetime of the development tokens handed out by personas.json. */
export const PERSONA_TOKEN_LIFETIME_SECONDS = 3600;

export interface ExplorerOptions {
  /** NODE_ENV=production: no personas, and no development token is ever signed. */
  readonly production: boolean;
  /** Whether development tokens are accepted (no JWT key configured); personas only then. */
  readonly devTokens: boolean;
  /** Whether the gateway answers introspection (the page then reads privacy lines from it). */
  readonly introspection: boolean;
  readonly logger: Logger;
  /** Default: dist/explorer in the repository. */
  readonly bundleDir?: string;
}

export function createExplorerRouter(options: ExplorerOptions): Router {
  const bundleDir = options.bundleDir ?? EXPLORER_BUNDLE_DIR;
  const offerPersonas = !options.production && options.devTokens;
  const router = express.Router();

  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': EXPLORER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    next();
  });

  router.get('/', explorerPage(bundleDir, options.logger));

  router.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      production: options.production,
      personas: offerPersonas,
      endpoint: '../graphql',
      schema: '../schema.graphql',
      introspection: options.introspection,
    });
  });

  router.get('/personas.json', offerPersonas ? personasHandler : noPersonas);

  router.use(
    '/assets',
    express.static(join(bundleDir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        // Hashed names change with their content; the favicon keeps its name.
        res.set('Cache-Control', /-[A-Z0-9]{8}\.[a-z0-9]+$/.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
      },
    }),
  );

  router.use((_req, res) => {
    res.status(404).set('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Not found.\n');
  });

  return router;
}

/** The explorer's page (index.html), or a 503 that says how to build it. */
function explorerPage(bundleDir: string, logger: Logger): RequestHandler {
  let warnedMissing = false;
  return (req, res) => {
    // The page's URLs are relative to /explorer/ (so it also works under a path prefix).
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      res.redirect(308, `explorer/${query}`);
      return;
    }
    const index = join(bundleDir, 'index.html');
    if (!existsSync(index)) {
      if (!warnedMissing) logger.warn({ bundleDir }, 'explorer bundle missing: run npm run build (or npm run build:explorer)');
      warnedMissing = true;
      res
        .status(503)
        .set('Cache-Control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The explorer is not built. Run `npm run build` (the production build, which bundles it) or `npm run build:explorer` (the explorer alone; npm start and npm test build it), then reload this page.\n');
      return;
    }
    res.set('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(readFileSync(index));
  };
}

const noPersonas: RequestHandler = (_req, res) => {
  res.status(404).set('Cache-Control', 'no-store').json({ error: 'Development personas are not offered by this gateway.' });
};

/** The personas with fresh tokens, each from its party's development identity provider. */
const personasHandler: RequestHandler = async (_req, res, next) => {
  try {
    const exp = Math.floor(Date.now() / 1000) + PERSONA_TOKEN_LIFETIME_SECONDS;
    const personas = await Promise.all(
      PERSONAS.map(async (persona) => {
        const token = await signDevToken(
          {
            party: persona.party,
            clearance: persona.clearance,
            roles: [...persona.roles],
            sub: `explorer-${persona.key}`,
            agency: `${persona.party}-AGENCY`,
          },
          // From the party's own development identity provider, registered for it (npm start).
          { expiresIn: exp, issuer: devIssuerOf(persona.party) },
        );
        return {
          ...persona,
          headers: { Authorization: `Bearer ${token}`, 'X-Agreement-Id': persona.agreementId, 'X-Purpose': persona.purpose },
        };
      }),
    );
    res.set('Cache-Control', 'no-store').json({ expiresAt: new Date(exp * 1000).toISOString(), personas });
  } catch (error) {
    next(error);
  }
};
