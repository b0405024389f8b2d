/**
 * The layers of the source tree, checked on every import (docs/architecture.md, "Layers").
 * From the bottom up:
 *
 *   policy      pure rules: imports nothing of the project but itself
 *   audit       the hash chain, keys and checkpoints: policy
 *   directives  the privacy directives (SDL, wrapper): policy
 *   data        MongoDB access at run time: policy, audit
 *   world       the import format's tooling (validation, import, generation): policy, audit, data
 *   context     the request context (caller, treaty, decisions, projection): policy, audit, data, directives
 *   resolvers   GraphQL resolvers: policy, audit, data, world, context, generated
 *   dev         development only (dev keys, personas, the test database): policy, data, world, context
 *   server      HTTP, Apollo Server, plugins: everything above but cli
 *   cli         commands: everything
 *
 * An import that runs back up (from a layer into one above it) fails this test, naming
 * the file and the import.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

type Layer = 'policy' | 'audit' | 'directives' | 'data' | 'world' | 'context' | 'resolvers' | 'generated' | 'dev' | 'server' | 'cli' | 'root';

/** What each layer may import (besides itself and packages). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  policy: [],
  audit: ['policy'],
  directives: ['policy'],
  data: ['policy', 'audit'],
  world: ['policy', 'audit', 'data'],
  context: ['policy', 'audit', 'data', 'directives', 'root'],
  generated: ['context', 'data', 'audit'],
  resolvers: ['policy', 'audit', 'data', 'world', 'context', 'generated', 'directives'],
  dev: ['policy', 'data', 'world', 'context', 'root'],
  server: ['policy', 'audit', 'data', 'world', 'context', 'resolvers', 'generated', 'directives', 'dev', 'root'],
  cli: ['policy', 'audit', 'data', 'world', 'context', 'resolvers', 'generated', 'directives', 'dev', 'server', 'root'],
  root: [],
};

function layerOf(file: string): Layer | null {
  const path = relative(ROOT, file).split('\\').join('/');
  if (path.startsWith('directives/')) return 'directives';
  const match = /^src\/([^/]+)\//.exec(path);
  if (match) return (match[1] as Layer) in MAY_IMPORT ? (match[1] as Layer) : null;
  if (/^src\/[^/]+\.ts$/.test(path)) return 'root';
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The project files a file imports (relative specifiers, resolved). */
function importsOf(file: string): { spec: string; target: string }[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((spec) => ({ spec, target: resolve(dirname(file), spec) }));
}

const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'directives'))];

it('finds the source tree', () => {
  expect(files.length).toBeGreaterThan(80);
});

it('has no import that runs back up a layer', () => {
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    if (from === null) continue;
    for (const { spec, target } of importsOf(file)) {
      const to = layerOf(`${target}.ts`) ?? layerOf(join(target, 'index.ts'));
      if (to === null || to === from) continue;
      if (!MAY_IMPORT[from].includes(to)) violations.push(`${relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  expect(violations).toEqual([]);
});

it('would name an import that runs back up', () => {
  // The check itself: a policy module importing the server is a violation.
  const from = layerOf(join(ROOT, 'src', 'policy', 'decide.ts'))!;
  const to = layerOf(join(ROOT, 'src', 'server', 'createGateway.ts'))!;
  expect(MAY_IMPORT[from].includes(to)).toBe(false);
  expect(MAY_IMPORT['data'].includes('server')).toBe(false);
  expect(MAY_IMPORT['resolvers'].includes('server')).toBe(false);
});
