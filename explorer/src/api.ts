/**
 * What the page reads from the gateway, all same-origin and relative to /explorer/:
 * the page configuration (config.json), the development personas (personas.json,
 * development only) and the SDL (../schema.graphql) for the editor and the docs pane.
 */
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** GET /explorer/config.json */
export interface ExplorerConfig {
  readonly production: boolean;
  /** Whether personas.json offers development tokens (never in production). */
  readonly personas: boolean;
  /** The GraphQL endpoint, relative to the page. */
  readonly endpoint: string;
  /** The SDL with its privacy directives, relative to the page (needs no token). */
  readonly schema: string;
  /**
   * Whether the gateway answers introspection (to a caller with a token). The explorer
   * then takes the schema from introspection once it has a token: its descriptions end
   * with each field's privacy line, shown in the docs pane.
   */
  readonly introspection: boolean;
}

/** One development persona with a freshly signed token (GET /explorer/personas.json). */
export interface PersonaPreset {
  readonly key: string;
  readonly label: string;
  readonly party: string;
  readonly clearance: string;
  readonly roles: readonly string[];
  readonly agreementId: string;
  readonly purpose: string;
  /**
   * What the persona's work reads: `records`, or only `statistics` (an aggregate-only
   * grant, under which record reads are refused). Chooses the default operation.
   */
  readonly reads: 'records' | 'statistics';
  /** The request headers to use: Authorization, X-Agreement-Id, X-Purpose. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface PersonaSet {
  /** When the tokens expire (ISO 8601). */
  readonly expiresAt: string;
  readonly personas: readonly PersonaPreset[];
}

/** One entry of `extensions.privacy.fields` (contract section 5, plus the statistics actions). */
export interface PrivacyEntry {
  readonly coordinate: string;
  readonly action: string;
  readonly reason?: string;
  readonly strategy?: string;
  readonly count?: number;
}

/** `extensions.privacy` of a response. */
export interface PrivacyReport {
  readonly agreement?: string;
  readonly purpose?: string;
  readonly fields?: readonly PrivacyEntry[];
  readonly auditId?: string;
}

export interface GraphQLErrorLike {
  readonly message?: string;
  readonly extensions?: { readonly code?: string } & Record<string, unknown>;
}

/** One request the explorer made and what came back, for the privacy panel. */
export interface Exchange {
  readonly at: Date;
  readonly operationName: string | null;
  /** HTTP status; 0 when the request did not reach the gateway. */
  readonly status: number;
  readonly durationMs: number;
  readonly errors: readonly GraphQLErrorLike[];
  readonly privacy: PrivacyReport | null;
  /** Whether the response had a `data` entry that is not null. */
  readonly hasData: boolean;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function getText(url: string): Promise<string> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/**
 * The schema as this caller sees it by introspection (descriptions with privacy lines),
 * or null when the gateway does not answer it. Only the token is sent: introspection
 * needs no treaty context.
 */
export async function introspectSchema(endpoint: string, authorization: string): Promise<GraphQLSchema | null> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' }),
      credentials: 'same-origin',
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { data?: IntrospectionQuery | null };
    return body.data?.__schema ? buildClientSchema(body.data) : null;
  } catch {
    return null;
  }
}

/** The personas with tokens signed just now; only when the configuration offers them. */
export function loadPersonas(): Promise<PersonaSet> {
  return getJson<PersonaSet>('personas.json');
}
