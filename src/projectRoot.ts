/**
 * The project's root directory: the nearest ancestor of this file that holds the
 * project's package.json. The same answer whether the code runs from source (src/, with
 * tsx or jest) or from the compiled build (dist/src/), so files the gateway reads at run
 * time (schema/, keys/dev/, dist/explorer/, tools/, the embedded database's data
 * directory) are found from either.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'treatygate';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached !== undefined) return cached;
  for (let directory = __dirname; ; directory = dirname(directory)) {
    if (isProjectRoot(directory)) return (cached = directory);
    if (dirname(directory) === directory) {
      throw new Error(`the project root (a package.json named "${PACKAGE_NAME}") is not above ${__dirname}`);
    }
  }
}

/** A path inside the project root. */
export function projectPath(...segments: string[]): string {
  return join(projectRoot(), ...segments);
}

function isProjectRoot(directory: string): boolean {
  const manifest = join(directory, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
