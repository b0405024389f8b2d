/**
 * One request of the scenario, checked: a benchmark of error responses would measure
 * nothing, so every server is checked before it is loaded.
 *
 * Contract: `checkResponse` resolves only for HTTP 200 with no GraphQL errors and
 * exactly `BENCH_PAGE_SIZE` records, and otherwise throws with the status and the
 * first error's code and message.
 */
import { BENCH_PAGE_SIZE, type BenchRequest } from './scenario';

export interface ResponseCheck {
  /** Bytes of the JSON response body. */
  readonly bytes: number;
  readonly records: number;
  /** Field values (at the top level of each record) that are null, over all records. */
  readonly nullValues: number;
  /** Field values at the top level of each record, over all records. */
  readonly values: number;
  /** Field decisions of `extensions.privacy`, summed by action (empty when there is no report). */
  readonly decisions: Readonly<Record<string, number>>;
}

interface GraphqlBody {
  data?: { migrants?: { edges?: { node?: Record<string, unknown> }[] } } | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
  extensions?: { privacy?: { fields?: { action?: string; count?: number }[] } };
}

/** Sends `request` to the server at `baseUrl` and checks the answer. */
export async function checkResponse(baseUrl: string, request: BenchRequest): Promise<ResponseCheck> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const body = parseBody(text);
  const firstError = body?.errors?.[0];
  if (response.status !== 200 || !body || firstError) {
    const detail = firstError ? `${firstError.extensions?.code ?? 'ERROR'}: ${firstError.message ?? ''}` : text.slice(0, 300);
    throw new Error(`${baseUrl} answered the bench query with HTTP ${response.status} (${detail})`);
  }
  const nodes = (body.data?.migrants?.edges ?? []).map((edge) => edge.node ?? {});
  if (nodes.length !== BENCH_PAGE_SIZE) throw new Error(`${baseUrl} returned ${nodes.length} records, expected ${BENCH_PAGE_SIZE}`);
  const values = nodes.flatMap((node) => Object.values(node));
  return {
    bytes: Buffer.byteLength(text),
    records: nodes.length,
    nullValues: values.filter((value) => value === null).length,
    values: values.length,
    decisions: decisionsOf(body),
  };
}

function parseBody(text: string): GraphqlBody | null {
  try {
    return JSON.parse(text) as GraphqlBody;
  } catch {
    return null;
  }
}

function decisionsOf(body: GraphqlBody): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of body.extensions?.privacy?.fields ?? []) {
    if (typeof entry.action === 'string' && typeof entry.count === 'number') totals[entry.action] = (totals[entry.action] ?? 0) + entry.count;
  }
  return totals;
}
