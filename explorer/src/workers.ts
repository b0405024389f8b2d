/**
 * Monaco's web workers, bundled by `npm run build:explorer` into assets/ next to the page
 * and started from there: nothing is fetched from a CDN (compare GraphiQL's
 * `setup-workers/esm.sh`). The build defines `__TREATYGATE_WORKERS__` with the hashed
 * file names.
 */
declare const __TREATYGATE_WORKERS__: { readonly editor: string; readonly json: string; readonly graphql: string };

interface MonacoEnvironmentLike {
  getWorker(workerId: string, label: string): Worker;
}

export function setUpMonacoWorkers(): void {
  const files = __TREATYGATE_WORKERS__;
  const environment: MonacoEnvironmentLike = {
    getWorker(_workerId, label) {
      const file = label === 'json' ? files.json : label === 'graphql' ? files.graphql : files.editor;
      return new Worker(new URL(file, document.baseURI), { name: `monaco-${label}` });
    },
  };
  (globalThis as unknown as { MonacoEnvironment: MonacoEnvironmentLike }).MonacoEnvironment = environment;
}
