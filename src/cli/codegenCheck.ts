/**
 * `npm run codegen:check`: regenerates every file of codegen.yml in memory and fails when
 * a committed file differs, so stale generated types never pass CI.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

async function main(): Promise<number> {
  const { config } = await loadCodegenConfig({ configFilePath: resolve('codegen.yml') });
  const outputs = await generate({ ...config, silent: true }, false);
  const stale: string[] = [];
  for (const output of outputs) {
    const committed = await readFile(resolve(output.filename), 'utf8').catch(() => null);
    if (committed !== output.content) stale.push(output.filename);
  }
  if (stale.length > 0) {
    process.stderr.write(`Generated files are stale; run \`npm run codegen\` and commit:\n${stale.map((f) => `  ${f}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`codegen: ${outputs.length} generated file(s) up to date\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`codegen check failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
