/**
 * The explorer: the persona bar on top, GraphiQL (operation, variables and headers
 * editors, response, docs pane) and the privacy report of the latest response on the
 * right.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GraphiQL } from 'graphiql';
import { useGraphiQL } from '@graphiql/react';
import type { GraphQLSchema } from 'graphql';
import { introspectSchema, loadPersonas, type Exchange, type ExplorerConfig, type PersonaPreset, type PersonaSet } from './api';
import { createTreatyFetcher } from './fetcher';
import { TopBar } from './PersonaPicker';
import { PrivacyPanel } from './PrivacyPanel';

export interface AppProps {
  readonly config: ExplorerConfig;
  /** From /schema.graphql; replaced by the introspected schema once there is a token. */
  readonly schema: GraphQLSchema;
  readonly personaSet: PersonaSet | null;
  readonly personasError: string | null;
}

/** What the page needs from the headers editor (a Monaco editor). */
interface TextEditor {
  getValue(): string;
  setValue(value: string): void;
}

const PERSONA_KEY_STORAGE = 'treatygate-explorer:persona';
/** Tokens are fetched again when they expire within this time. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const DEFAULT_QUERY = `# Pick a persona above, or put a token,
# X-Agreement-Id and X-Purpose in the
# Headers tab; then run (▶). Withheld
# fields come back as null; the privacy
# report on the right says why. The docs
# (book icon) show each field's rule.

query Migrants {
  migrants(first: 3) {
    totalCount
    edges {
      node {
        id
        givenName
        familyName
        dateOfBirth
        nationality
        address { city country }
        documents { number expiresOn }
        religion
        health { conditions }
        victimStatus { status }
      }
    }
  }
}
`;

const STATISTICS_QUERY = `# Statistics: counts of the records in scope,
# grouped by up to three dimensions, with
# disclosure control (small counts come back
# as null). This persona's grant is
# aggregate-only: it answers statistics and
# entitlements, never individual records.

query Statistics {
  statistics(groupBy: [NATIONALITY, SEX]) {
    groupBy
    cells { key count suppressed }
    total
    suppressedCells
    minCellSize
  }
}
`;

/** The default operation for each kind of persona (what its work reads). */
const DEFAULT_OPERATIONS: Readonly<Record<PersonaPreset['reads'], string>> = { records: DEFAULT_QUERY, statistics: STATISTICS_QUERY };

export function App({ config, schema: sdlSchema, personaSet: initialPersonaSet, personasError }: AppProps) {
  const [exchange, setExchange] = useState<Exchange | null>(null);
  const [schema, setSchema] = useState<GraphQLSchema>(sdlSchema);
  const introspectedWith = useRef<string | null>(null);
  const [personaSet, setPersonaSet] = useState<PersonaSet | null>(initialPersonaSet);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [edited, setEdited] = useState(false);
  const [headerEditor, setHeaderEditor] = useState<TextEditor | null>(null);
  const [queryEditor, setQueryEditor] = useState<TextEditor | null>(null);
  const appliedHeaders = useRef<string | null>(null);
  const pendingPersona = useRef<PersonaPreset | null>(null);

  const fetcher = useMemo(() => createTreatyFetcher(config.endpoint, setExchange), [config.endpoint]);
  const selected = personaSet?.personas.find((p) => p.key === selectedKey) ?? null;

  // The docs pane shows privacy lines from the introspected schema, once per token.
  const introspectAs = useCallback(
    (authorization: string | undefined) => {
      if (!config.introspection || !authorization || introspectedWith.current === authorization) return;
      introspectedWith.current = authorization;
      void introspectSchema(config.endpoint, authorization).then((introspected) => {
        if (introspected && introspectedWith.current === authorization) setSchema(introspected);
      });
    },
    [config.introspection, config.endpoint],
  );

  const apply = useCallback(
    (persona: PersonaPreset, editor: TextEditor | null) => {
      const text = JSON.stringify(persona.headers, null, 2);
      appliedHeaders.current = text;
      setEdited(false);
      if (editor) editor.setValue(text);
      else pendingPersona.current = persona;
      introspectAs(persona.headers['Authorization']);
    },
    [introspectAs],
  );

  // The selected persona's default operation (a statistics persona's grant reads no
  // record), unless the operation was written or changed by hand.
  const selectedReads = selected?.reads ?? null;
  useEffect(() => {
    if (!queryEditor || !selectedReads) return;
    const operation = DEFAULT_OPERATIONS[selectedReads] ?? DEFAULT_QUERY;
    const current = queryEditor.getValue();
    if (isDefaultOperation(current) && current !== operation) queryEditor.setValue(operation);
  }, [queryEditor, selectedReads]);

  const pick = useCallback(
    async (key: string) => {
      let set = personaSet;
      if (set && Date.parse(set.expiresAt) - Date.now() < TOKEN_REFRESH_MARGIN_MS) {
        try {
          set = await loadPersonas();
          setPersonaSet(set);
        } catch {
          // Keep the tokens at hand; an expired one is answered with UNAUTHENTICATED.
        }
      }
      const persona = set?.personas.find((p) => p.key === key);
      if (!persona) return;
      setSelectedKey(key);
      rememberPersona(key);
      apply(persona, headerEditor);
    },
    [personaSet, headerEditor, apply],
  );

  // The headers editor exists once Monaco has loaded: apply a persona picked before.
  useEffect(() => {
    if (!headerEditor) return;
    const persona = pendingPersona.current ?? personaSet?.personas.find((p) => p.key === recalledPersona()) ?? null;
    pendingPersona.current = null;
    if (!persona) return;
    setSelectedKey(persona.key);
    apply(persona, headerEditor);
    // Only when the editor appears; later picks apply directly.
  }, [headerEditor]);

  // Headers typed by hand (production, or a token of one's own): introspect with their token.
  const editTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onEditHeaders = useCallback(
    (value: string) => {
      setEdited(appliedHeaders.current !== null && value.trim() !== appliedHeaders.current.trim());
      if (editTimer.current) clearTimeout(editTimer.current);
      editTimer.current = setTimeout(() => introspectAs(authorizationIn(value)), 800);
    },
    [introspectAs],
  );

  return (
    <div className="tg-app">
      <TopBar
        production={config.production}
        personas={personaSet?.personas ?? null}
        personasError={personasError}
        selected={selected}
        edited={edited}
        onPick={(key) => void pick(key)}
      />
      <div className="tg-main">
        <div className="tg-graphiql" data-testid="graphiql">
          <GraphiQL
            fetcher={fetcher}
            schema={schema}
            defaultQuery={DEFAULT_QUERY}
            defaultEditorToolsVisibility="headers"
            shouldPersistHeaders={false}
            showPersistHeadersSettings={false}
            onEditHeaders={onEditHeaders}
          >
            <GraphiQL.Logo>{null}</GraphiQL.Logo>
            <HeaderEditorBridge onHeaderEditor={setHeaderEditor} onQueryEditor={setQueryEditor} />
          </GraphiQL>
        </div>
        <PrivacyPanel exchange={exchange} schema={schema} />
      </div>
    </div>
  );
}

/** Rendered inside GraphiQL's provider: hands the headers and operation editors to the persona picker. */
function HeaderEditorBridge({ onHeaderEditor, onQueryEditor }: { onHeaderEditor: (editor: TextEditor | null) => void; onQueryEditor: (editor: TextEditor | null) => void }) {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  useEffect(() => {
    onHeaderEditor(headerEditor ?? null);
  }, [headerEditor, onHeaderEditor]);
  useEffect(() => {
    onQueryEditor(queryEditor ?? null);
  }, [queryEditor, onQueryEditor]);
  return null;
}

/** Whether the operation editor holds one of the default operations, unchanged (or nothing). */
function isDefaultOperation(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || Object.values(DEFAULT_OPERATIONS).some((operation) => operation.trim() === trimmed);
}

/** The Authorization header in the Headers tab's JSON, if it parses and has one. */
function authorizationIn(headersJson: string): string | undefined {
  try {
    const headers = JSON.parse(headersJson) as unknown;
    if (typeof headers !== 'object' || headers === null) return undefined;
    const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization');
    return typeof entry?.[1] === 'string' && /^Bearer \S+$/.test(entry[1]) ? entry[1] : undefined;
  } catch {
    return undefined;
  }
}

function rememberPersona(key: string): void {
  try {
    localStorage.setItem(PERSONA_KEY_STORAGE, key);
  } catch {
    // Storage may be disabled; the choice is then not remembered.
  }
}

function recalledPersona(): string | null {
  try {
    return localStorage.getItem(PERSONA_KEY_STORAGE);
  } catch {
    return null;
  }
}
