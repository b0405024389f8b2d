/**
 * The /explorer router over real HTTP, without a browser: the page and its headers
 * (CSP, caching), the 503 without a bundle, config.json, personas.json (development
 * tokens that the gateway accepts; 404 and never signed in production), and the built
 * bundle itself (nothing in it refers to another host, no inline script).
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { ensureExplorerBuilt } from '../../src/cli/buildExplorer';
import * as devKeys from '../../src/dev/devKeys';
import { createIssuerTrustAuthenticator } from '../../src/context/issuerTrust';
const { devIdentityProvider, devIssuerOf } = devKeys;
import { EXPLORER_BUNDLE_DIR, EXPLORER_CSP, createExplorerRouter, type ExplorerOptions } from '../../src/server/explorer';
import { createLogger } from '../../src/server/logger';
import { PERSONAS } from '../../src/dev/personas';

const logger = createLogger('silent');
const servers: Server[] = [];
let fakeBundle: string;

async function serve(options: Omit<ExplorerOptions, 'logger'>): Promise<string> {
  const app = express();
  app.use('/explorer', createExplorerRouter({ ...options, logger }));
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  fakeBundle = mkdtempSync(join(tmpdir(), 'treatygate-explorer-'));
  mkdirSync(join(fakeBundle, 'assets'));
  writeFileSync(join(fakeBundle, 'index.html'), '<!doctype html><title>x</title><script type="module" src="assets/main-ABCDEFGH.js"></script>');
  writeFileSync(join(fakeBundle, 'assets', 'main-ABCDEFGH.js'), 'console.log(1);\n');
  writeFileSync(join(fakeBundle, 'assets', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(fakeBundle, { recursive: true, force: true });
});
afterEach(() => jest.restoreAllMocks());

const development = { production: false, devTokens: true, introspection: true };
const production = { production: true, devTokens: false, introspection: false };

describe('the page', () => {
  it('redirects /explorer to /explorer/ (the page uses relative URLs), keeping the query', async () => {
    const url = await serve({ ...development, bundleDir: fakeBundle });
    const response = await fetch(`${url}/explorer?x=1`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(new URL(response.headers.get('location')!, `${url}/explorer?x=1`).href).toBe(`${url}/explorer/?x=1`);
  });

  it('serves index.html uncached with a strict Content-Security-Policy and hashed assets for a year', async () => {
    const url = await serve({ ...development, bundleDir: fakeBundle });
    const page = await fetch(`${url}/explorer/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).toContain("script-src 'self'");
    expect(EXPLORER_CSP).toContain("connect-src 'self'");
    expect(EXPLORER_CSP).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(EXPLORER_CSP.match(/script-src[^;]*/)![0]).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const asset = await fetch(`${url}/explorer/assets/main-ABCDEFGH.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect((await fetch(`${url}/explorer/assets/favicon.svg`)).headers.get('cache-control')).toBe('public, max-age=3600');
    for (const missing of ['/explorer/assets/nope-ABCDEFGH.js', '/explorer/assets/', '/explorer/nope', '/explorer/assets/..%2findex.html']) {
      expect([missing, (await fetch(`${url}${missing}`)).status]).toEqual([missing, 404]);
    }
  });

  it('answers 503 naming npm run build:explorer when the bundle is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'treatygate-explorer-empty-'));
    try {
      const url = await serve({ ...development, bundleDir: empty });
      const response = await fetch(`${url}/explorer/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build:explorer');
      // The configuration still answers, so a page from a cache would know why.
      expect((await fetch(`${url}/explorer/config.json`)).status).toBe(200);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('config.json and personas.json', () => {
  it('development: personas with fresh development tokens that the gateway accepts', async () => {
    const url = await serve({ ...development, bundleDir: fakeBundle });
    const config = await fetch(`${url}/explorer/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({ production: false, personas: true, endpoint: '../graphql', schema: '../schema.graphql', introspection: true });

    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${url}/explorer/personas.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { expiresAt: string; personas: { key: string; headers: Record<string, string> }[] };
    expect(body.personas.map((p) => p.key)).toEqual(PERSONAS.map((p) => p.key));
    const expiresAt = Date.parse(body.expiresAt) / 1000;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(expiresAt).toBeLessThanOrEqual(before + 3601 + 5);

    // Each persona's token comes from its party's development identity provider, and is
    // accepted where that provider is registered for the party (as npm start registers it).
    const registry = new Map(PERSONAS.map((p) => [p.party, { _id: p.party, requireDpop: false, identityProviders: [devIdentityProvider(p.party)], updatedAt: new Date() }]));
    const authenticate = createIssuerTrustAuthenticator({ registry: { byParty: async () => registry }, replay: { remember: async () => true } });
    for (const [index, persona] of PERSONAS.entries()) {
      const preset = body.personas[index]!;
      expect(preset).toMatchObject({ ...persona, roles: [...persona.roles] });
      expect(Object.keys(preset.headers)).toEqual(['Authorization', 'X-Agreement-Id', 'X-Purpose']);
      expect(preset.headers['X-Agreement-Id']).toBe(persona.agreementId);
      expect(preset.headers['X-Purpose']).toBe(persona.purpose);
      const caller = await authenticate(preset.headers['Authorization']);
      expect(caller).toMatchObject({ party: persona.party, clearance: persona.clearance, roles: [...persona.roles], sub: `explorer-${persona.key}`, agency: `${persona.party}-AGENCY` });
      const [, payload] = preset.headers['Authorization']!.slice('Bearer '.length).split('.');
      expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ exp: expiresAt, iss: devIssuerOf(persona.party) });
    }
  });

  it('production: no personas, 404, and no development token is ever signed', async () => {
    const sign = jest.spyOn(devKeys, 'signDevToken');
    const url = await serve({ ...production, bundleDir: fakeBundle });
    expect(await (await fetch(`${url}/explorer/config.json`)).json()).toEqual({
      production: true,
      personas: false,
      endpoint: '../graphql',
      schema: '../schema.graphql',
      introspection: false,
    });
    const response = await fetch(`${url}/explorer/personas.json`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/Bearer|eyJ/);
    expect((await fetch(`${url}/explorer/`)).status).toBe(200);
    expect(sign).not.toHaveBeenCalled();
  });

  it('outside production with a configured JWT key: no personas either (the gateway would refuse their tokens)', async () => {
    const sign = jest.spyOn(devKeys, 'signDevToken');
    const url = await serve({ production: false, devTokens: false, introspection: true, bundleDir: fakeBundle });
    expect(((await (await fetch(`${url}/explorer/config.json`)).json()) as { personas: boolean }).personas).toBe(false);
    expect((await fetch(`${url}/explorer/personas.json`)).status).toBe(404);
    expect(sign).not.toHaveBeenCalled();
  });
});

describe('the built bundle', () => {
  beforeAll(async () => {
    await ensureExplorerBuilt();
  }, 120_000);

  const files = (): string[] => readdirSync(join(EXPLORER_BUNDLE_DIR, 'assets'));

  it('has a page without inline script or style, loading only its own assets', () => {
    const html = readFileSync(join(EXPLORER_BUNDLE_DIR, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/ src="assets\/main-[A-Z0-9]{8}\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const references = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^assets\/[\w.-]+$/);
  });

  it('bundles Monaco workers and fonts, and refers to no other host for anything it loads', () => {
    expect(files().filter((f) => /\.worker-[A-Z0-9]{8}\.js$/.test(f)).map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, '')).sort()).toEqual([
      'editor.worker',
      'graphql.worker',
      'json.worker',
    ]);
    for (const file of files()) {
      const text = readFileSync(join(EXPLORER_BUNDLE_DIR, 'assets', file), 'utf8');
      // Stylesheets: fonts and images are data: URLs or files of the bundle.
      if (file.endsWith('.css')) {
        expect([file, text.match(/url\(\s*['"]?(?!data:|#)[a-z][a-z0-9+.-]*:[^)]*\)/gi)]).toEqual([file, null]);
        expect([file, text.match(/@import/gi)]).toEqual([file, null]);
        expect(text).toMatch(/@font-face/);
      }
      // Scripts: no CDN (GraphiQL's esm.sh worker setup, jsDelivr, unpkg, Google Fonts).
      expect([file, text.match(/esm\.sh|jsdelivr|unpkg\.com|cdnjs|fonts\.(googleapis|gstatic)\.com/g)]).toEqual([file, null]);
      expect([file, text.match(/importScripts\(\s*["'`]https?:/g)]).toEqual([file, null]);
    }
  });
});
