/**
 * Entry point of the explorer bundle (npm run build:explorer). Everything it loads comes
 * from the gateway itself: the page configuration (config.json), the development
 * personas (personas.json, development only), the SDL (../schema.graphql), styles and
 * fonts bundled from npm, and Monaco's workers from assets/.
 */
import 'graphiql/style.css';
import '@graphiql/react/font/roboto.css';
import '@graphiql/react/font/fira-code.css';
import './explorer.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { buildSchema } from 'graphql';
import { getJson, getText, loadPersonas, type ExplorerConfig, type PersonaSet } from './api';
import { App } from './App';
import { setUpMonacoWorkers } from './workers';

setUpMonacoWorkers();

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  try {
    const config = await getJson<ExplorerConfig>('config.json');
    const [sdl, personas] = await Promise.all([
      getText(config.schema),
      config.personas && !config.production
        ? loadPersonas().then(
            (set): { set: PersonaSet | null; error: string | null } => ({ set, error: null }),
            (error: Error) => ({ set: null, error: `Development personas could not be loaded (${error.message}).` }),
          )
        : Promise.resolve({ set: null, error: null }),
    ]);
    const schema = buildSchema(sdl);
    root.render(
      <StrictMode>
        <App config={config} schema={schema} personaSet={personas.set} personasError={personas.error} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <div className="tg-startup-error" role="alert">
        <h1>The explorer could not start</h1>
        <p>{(error as Error).message}</p>
      </div>,
    );
  }
}

void start();
