#!/usr/bin/env node
/**
 * `npm run build`: the production build. Compiles src/ and directives/ with tsc
 * (tsconfig.build.json) into dist/, bundles the explorer into dist/explorer/, and writes
 * dist/BUILD (what was built, when, from which sources), so that `node dist/src/cli/start.js`
 * needs neither TypeScript nor any other dev dependency.
 *
 * `node tools/build.js --if-stale` (run by `npm start`, `npm run import`, `npm run
 * audit:verify`, ...) builds only when a source is newer than dist/BUILD. Where dist/ is
 * stale and the dev dependencies are not installed (after `npm ci --omit=dev`) it says so
 * and exits 1 rather than run old code.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled, and without tsx.
 * One build at a time (a lock directory next to dist/), so parallel callers (test
 * workers, two terminals) never see a half-written dist/.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, 'BUILD');
const LOCK = join(ROOT, '.build.lock');
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_WAIT_MS = 5 * 60_000;

/** What the build reads: a change to any of these makes dist/ stale. */
const SOURCES = ['src', 'directives', 'explorer/src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'tools/build.js'];

function newestSource() {
  let newest = { path: '', mtimeMs: 0 };
  const visit = (path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return; // optional source (e.g. no explorer/src in a trimmed copy)
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (stats.mtimeMs > newest.mtimeMs) {
      newest = { path, mtimeMs: stats.mtimeMs };
    }
  };
  for (const source of SOURCES) visit(join(ROOT, source));
  return newest;
}

/** null when dist/ is up to date, else why it is not. */
function staleness() {
  if (!existsSync(STAMP)) return 'dist/ has not been built';
  const built = statSync(STAMP).mtimeMs;
  const newest = newestSource();
  return newest.mtimeMs > built ? `${relative(ROOT, newest.path)} is newer than the build` : null;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` holding the build lock (a directory: mkdir is atomic). */
function withLock(work) {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`another build has held ${relative(ROOT, LOCK)} for over 5 minutes; remove it if no build is running`);
      sleep(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function hasDevDependencies() {
  try {
    require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    require.resolve('esbuild', { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (${result.signal ?? `exit ${result.status}`})`);
}

function build(log) {
  const started = Date.now();
  // A clean compile: files of deleted sources must not linger in dist/.
  for (const dir of ['src', 'directives']) rmSync(join(DIST, dir), { recursive: true, force: true });
  rmSync(STAMP, { force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'tsconfig.build.json'], 'tsc');
  run(process.execPath, [join(DIST, 'src', 'cli', 'buildExplorer.js'), '--if-stale'], 'the explorer bundle');
  mkdirSync(DIST, { recursive: true });
  writeFileSync(STAMP, `${JSON.stringify({ builtAt: new Date().toISOString(), node: process.version, sources: SOURCES }, null, 2)}\n`);
  log(`build: dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function main() {
  const ifStale = process.argv.includes('--if-stale');
  const log = (message) => process.stderr.write(`${message}\n`);
  if (!ifStale) {
    if (!hasDevDependencies()) throw new Error('building needs the dev dependencies (typescript, esbuild): run npm ci first');
    withLock(() => build(log));
    return;
  }
  const why = staleness();
  if (why === null) return;
  if (!hasDevDependencies()) {
    throw new Error(
      `dist/ is out of date (${why}) and the dev dependencies that build it are not installed. ` +
        'Build where they are (npm ci && npm run build), then install for production (npm ci --omit=dev).',
    );
  }
  withLock(() => {
    const still = staleness(); // another process may have built it while we waited
    if (still === null) return;
    log(`build: ${still}; building`);
    build(log);
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`build: ${error.message}\n`);
  process.exit(1);
}
