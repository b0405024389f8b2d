/**
 * `npm run build:explorer`: bundles the explorer (explorer/src, GraphiQL from npm) with
 * esbuild into dist/explorer/, which the gateway serves at /explorer:
 *
 *   index.html                 no inline script or style (the page runs under a strict CSP)
 *   assets/main-<hash>.js      the page (ES module) and its lazily loaded chunks
 *   assets/main-<hash>.css     GraphiQL's and Monaco's styles, fonts inlined as data: URLs
 *   assets/*.worker-<hash>.js  Monaco's editor, JSON and GraphQL workers
 *   manifest.json              what was built from which sources
 *
 * Nothing in the bundle refers to another host. `--if-stale` builds only when a source
 * (explorer/src, this file, package-lock.json) changed since the last build (`npm start`
 * runs it first; where the dev dependencies are not installed it leaves the bundle as it
 * is and says so).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';
import { projectRoot } from '../projectRoot';
import { EXPLORER_BUNDLE_DIR } from '../server/explorer';
import { exitWith } from './cliDatabase';

const ROOT = projectRoot();
export const EXPLORER_SOURCE_DIR = join(ROOT, 'explorer', 'src');

export interface ExplorerBuildSummary {
  readonly outDir: string;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly totalBytes: number;
  readonly durationMs: number;
}

interface Manifest {
  readonly sourceStamp: string;
  readonly builtAt: string;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/**
 * Builds the explorer into `outDir`, replaced as a whole once the new build is complete.
 * One build at a time per directory (a lock next to it), so parallel test workers or a
 * test run beside `npm start` never see a half-replaced bundle.
 */
export async function buildExplorer(outDir: string = EXPLORER_BUNDLE_DIR): Promise<ExplorerBuildSummary> {
  return withBuildLock(outDir, () => buildUnlocked(outDir));
}

async function buildUnlocked(outDir: string): Promise<ExplorerBuildSummary> {
  const started = performance.now();
  const staging = `${outDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const assets = join(staging, 'assets');
  mkdirSync(assets, { recursive: true });
  try {
    // esbuild is a dev dependency: loaded only when building.
    const { build } = await import('esbuild');
    const stamp = sourceStamp();
    const workers = await buildWorkers(build, assets);
    const page = await build({
      absWorkingDir: ROOT,
      entryPoints: { main: join(EXPLORER_SOURCE_DIR, 'main.tsx') },
      outdir: assets,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome111', 'firefox115', 'safari16.4'],
      minify: true,
      sourcemap: false,
      jsx: 'automatic',
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      assetNames: '[name]-[hash]',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      define: {
        'process.env.NODE_ENV': '"production"',
        __TREATYGATE_WORKERS__: JSON.stringify(workers),
      },
      plugins: [monacoStylesFromGraphiQL()],
      metafile: true,
      logLevel: 'warning',
    });
    const main = entryOutput(page.metafile, 'main');
    if (!main.cssBundle) throw new Error('explorer build: no stylesheet was produced');
    writeFileSync(join(staging, 'index.html'), indexHtml(relative(staging, join(ROOT, main.js)), relative(staging, join(ROOT, main.cssBundle))));
    writeFileSync(join(assets, 'favicon.svg'), FAVICON);
    const files = listFiles(staging).filter((f) => f.path !== 'manifest.json');
    const manifest: Manifest = { sourceStamp: stamp, builtAt: new Date().toISOString(), files };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(resolve(outDir, '..'), { recursive: true });
    renameSync(staging, outDir);
    return { outDir, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0), durationMs: performance.now() - started };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** True when `outDir` holds no build, or one made from other sources than the current ones. */
export function isExplorerStale(outDir: string = EXPLORER_BUNDLE_DIR): boolean {
  const manifestPath = join(outDir, 'manifest.json');
  if (!existsSync(manifestPath) || !existsSync(join(outDir, 'index.html'))) return true;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    return manifest.sourceStamp !== sourceStamp() || manifest.files.some((f) => !existsSync(join(outDir, f.path)));
  } catch {
    return true;
  }
}

/** Builds unless the build in `outDir` is current; returns null when nothing was built. */
export async function ensureExplorerBuilt(outDir: string = EXPLORER_BUNDLE_DIR): Promise<ExplorerBuildSummary | null> {
  if (!isExplorerStale(outDir)) return null;
  // Another process may have built it while this one waited for the lock.
  return withBuildLock(outDir, () => (isExplorerStale(outDir) ? buildUnlocked(outDir) : Promise.resolve(null)));
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

/** Monaco's workers as classic scripts; their paths relative to the page (for main.tsx). */
async function buildWorkers(build: typeof import('esbuild').build, assets: string): Promise<Record<keyof typeof WORKERS, string>> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([name, path]) => [`${name}.worker`, path])),
    outdir: assets,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    entryNames: '[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  const of = (name: string): string => `assets/${basename(entryOutput(result.metafile, `${name}.worker`).js)}`;
  return { editor: of('editor'), json: of('json'), graphql: of('graphql') };
}

/**
 * Monaco's ES modules import their own stylesheets; graphiql/style.css (imported by
 * main.tsx) already holds the same Monaco version's styles with the codicon font
 * inlined, so Monaco's imports are left empty instead of bundling the styles twice.
 */
function monacoStylesFromGraphiQL(): Plugin {
  return {
    name: 'monaco-styles-from-graphiql',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /\.css$/ }, (args) =>
        /[\\/]monaco-editor[\\/]esm[\\/]/.test(args.importer) ? { path: args.path, namespace: 'monaco-style' } : undefined,
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: 'monaco-style' }, () => ({ contents: '', loader: 'js' }));
    },
  };
}

function entryOutput(metafile: Metafile, name: string): { js: string; cssBundle?: string } {
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (output.entryPoint && basename(path).startsWith(`${name}-`) && path.endsWith('.js')) {
      return output.cssBundle ? { js: path, cssBundle: output.cssBundle } : { js: path };
    }
  }
  throw new Error(`explorer build: no output for entry ${name}`);
}

/** The newest modification time of the explorer's sources, with their count. */
function sourceStamp(): string {
  const paths = [...listFiles(EXPLORER_SOURCE_DIR).map((f) => join(EXPLORER_SOURCE_DIR, f.path)), __filename, join(ROOT, 'package-lock.json')];
  const newest = Math.max(...paths.filter((p) => existsSync(p)).map((p) => statSync(p).mtimeMs));
  return `${paths.length}:${Math.round(newest)}`;
}

function listFiles(directory: string, prefix = ''): { path: string; bytes: number }[] {
  const files: { path: string; bytes: number }[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(join(directory, entry.name), path));
    else files.push({ path, bytes: statSync(join(directory, entry.name)).size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function indexHtml(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Treatygate explorer</title>
    <link rel="icon" type="image/svg+xml" href="assets/favicon.svg" />
    <link rel="stylesheet" href="${stylesheet}" />
    <script type="module" src="${script}"></script>
  </head>
  <body>
    <div id="root">
      <noscript>The Treatygate explorer needs JavaScript. The API itself is at POST /graphql.</noscript>
    </div>
  </body>
</html>
`;
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#13294b"/><path d="M16 5 27 16 16 27 5 16z" fill="#7fb3ff"/></svg>
`;

/** Runs `build` holding `<outDir>.lock` (a directory naming its owner's pid; a dead owner's lock is taken over). */
async function withBuildLock<T>(outDir: string, build: () => Promise<T>): Promise<T> {
  const lock = `${outDir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      if (isOrphan(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`explorer build: ${lock} is held by another build for 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock whose owner died, or that never got an owner's pid within 10 s. */
function isOrphan(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!Number.isSafeInteger(pid) || pid <= 0) return Date.now() - statSync(lock).mtimeMs > 10_000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ESRCH') return true;
    if (code === 'ENOENT') {
      // No pid file yet (being written), or the lock is already gone.
      try {
        return Date.now() - statSync(lock).mtimeMs > 10_000;
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** True for a module that is not installed (e.g. esbuild where dev dependencies were omitted). */
function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

if (require.main === module) {
  const ifStale = process.argv.includes('--if-stale');
  exitWith(
    (async () => {
      let summary: ExplorerBuildSummary | null;
      try {
        summary = ifStale ? await ensureExplorerBuilt() : await buildExplorer();
      } catch (error) {
        if (!ifStale || !isMissingModule(error)) throw error;
        process.stderr.write(
          `explorer: not rebuilt (${(error as Error).message.split('\n')[0]}); it is built with the dev dependencies ` +
            '(npm run build:explorer); the gateway serves the bundle it finds, or answers /explorer with 503\n',
        );
        return 0;
      }
      if (summary === null) {
        process.stdout.write(`explorer: ${relative(process.cwd(), EXPLORER_BUNDLE_DIR)} is up to date\n`);
        return 0;
      }
      const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
      const largest = [...summary.files].sort((a, b) => b.bytes - a.bytes).slice(0, 4);
      process.stdout.write(
        `explorer: built ${relative(process.cwd(), summary.outDir)} in ${(summary.durationMs / 1000).toFixed(1)} s: ` +
          `${summary.files.length} files, ${kib(summary.totalBytes)} (largest: ${largest.map((f) => `${f.path} ${kib(f.bytes)}`).join(', ')})\n`,
      );
      return 0;
    })(),
    'build:explorer failed',
  );
}
