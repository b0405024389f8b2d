/**
 * The schema of the bench alternatives C (`stockApollo.ts`) and D (`jit.ts`): what a team
 * would write without this project. Never part of the product.
 *
 * Contracts:
 * - The SDL is the gateway's (`schema/*.graphql`), parsed with graphql-js, with every
 *   directive definition and every usage of a directive other than graphql's own
 *   (`@deprecated`, `@specifiedBy`, ...) dropped from the AST: no `@purpose`,
 *   `@minimise` or `@sensitive`, so no field is wrapped, withheld or minimised.
 * - Plain resolvers read the same MongoDB collections as the gateway, whole documents
 *   (no projection), with no scope, consent, audit or pseudonym: `Migrant.id` is the
 *   internal id. Erased records (`erasedAt` set) are never returned.
 * - `migrants(filter, first, after)` pages in `_id` order (`first` defaults to 50, at most
 *   500, as the gateway's default); the cursor is the record's id. `holder`, `family` and
 *   `Agreement.parties` go through the per-request DataLoaders of `createPlainContext`.
 * - Dates are stored as BSON dates and served as the gateway serves them: `YYYY-MM-DD`
 *   through the gateway's own `PartialDate` and `DateTime` scalars.
 * - Root fields without a resolver here (`me`, `entitlements`, `statistics`, data
 *   requests, notices, audit, every mutation) resolve to null (an error where the field is
 *   non-null): the schema builds, the bench does not ask them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import DataLoader from 'dataloader';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  specifiedDirectives,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Collection, Db, Filter } from 'mongodb';
import type { AgreementDoc, GrantDoc, MigrantDoc, PartyDoc, TravelDocumentDoc } from '../../src/data/documents';
import { toIsoDate } from '../../src/policy/calendar';
import { parsePartialDate, partialDateRange } from '../../src/policy/partialDate';
import { projectPath } from '../../src/projectRoot';
import { DateTime, PartialDate } from '../../src/resolvers/scalars';

/** Where the gateway's SDL lives (one file per domain). */
export const PLAIN_SCHEMA_DIR = projectPath('schema');

/** `first` when not given, and its largest value (the gateway's defaults). */
export const PLAIN_DEFAULT_PAGE_SIZE = 50;
export const PLAIN_MAX_PAGE_SIZE = 500;

/** graphql's own directives: their usages (e.g. `@deprecated`) stay. */
const BUILT_IN_DIRECTIVES: ReadonlySet<string> = new Set(specifiedDirectives.map((directive) => directive.name));

/** The per-request loaders: one `$in` query per batch, results in key order. */
export interface PlainLoaders {
  readonly party: DataLoader<string, PartyDoc | null>;
  /** Records that are not erased; an erased or unknown id loads as null. */
  readonly migrant: DataLoader<string, MigrantDoc | null>;
}

/** The context of one request of C or D. */
export interface PlainContext {
  readonly migrants: Collection<MigrantDoc>;
  readonly agreements: Collection<AgreementDoc>;
  readonly loaders: PlainLoaders;
}

/** The SDL of `dir` (every `.graphql` file, in name order) as one document, without any custom directive. */
export function plainTypeDefs(dir: string = PLAIN_SCHEMA_DIR): DocumentNode {
  const definitions: DefinitionNode[] = readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .flatMap((name) => parse(readFileSync(join(dir, name), 'utf8'), { noLocation: true }).definitions);
  return withoutCustomDirectives({ kind: Kind.DOCUMENT, definitions });
}

/** `document` with every directive definition and every usage of a non-built-in directive removed. */
export function withoutCustomDirectives(document: DocumentNode): DocumentNode {
  return visit(document, {
    // Returning null from `enter` deletes the node from its parent's list.
    DirectiveDefinition: () => null,
    Directive: (node) => (BUILT_IN_DIRECTIVES.has(node.name.value) ? undefined : null),
  });
}

/** The plain SDL as text (descriptions included). */
export function plainSdl(typeDefs: DocumentNode = plainTypeDefs()): string {
  return print(typeDefs);
}

/** The executable schema of C and D: the plain SDL and the plain resolvers. */
export function buildPlainSchema(typeDefs: DocumentNode = plainTypeDefs()): GraphQLSchema {
  return makeExecutableSchema<PlainContext>({ typeDefs, resolvers: plainResolvers });
}

/** A fresh context for one request: the collections of `db` and new loaders. */
export function createPlainContext(db: Db): PlainContext {
  const migrants = db.collection<MigrantDoc>('migrants');
  const parties = db.collection<PartyDoc>('parties');
  return {
    migrants,
    agreements: db.collection<AgreementDoc>('agreements'),
    loaders: {
      party: new DataLoader(async (codes: readonly string[]) =>
        byKey(codes, await parties.find({ _id: { $in: [...codes] } }).toArray()),
      ),
      migrant: new DataLoader(async (ids: readonly string[]) =>
        byKey(ids, await migrants.find({ _id: { $in: [...ids] }, erasedAt: null }).toArray()),
      ),
    },
  };
}

function byKey<T extends { _id: string }>(keys: readonly string[], docs: readonly T[]): (T | null)[] {
  const found = new Map(docs.map((doc) => [doc._id, doc]));
  return keys.map((key) => found.get(key) ?? null);
}

/** `Query.migrants`'s filter argument, as the SDL declares it. */
interface MigrantFilterArg {
  nationality?: string | null;
  legalStatus?: string | null;
  holder?: string | null;
  familyName?: string | null;
  documentNumber?: string | null;
  arrivedAfter?: string | null;
  arrivedBefore?: string | null;
}

interface MigrantsArgs {
  filter?: MigrantFilterArg | null;
  first?: number | null;
  after?: string | null;
}

/** What `Query.migrants` returns; `filter` is kept for `totalCount`, counted only when asked. */
interface MigrantConnectionValue {
  readonly edges: { node: MigrantDoc; cursor: string }[];
  readonly pageInfo: { hasNextPage: boolean; endCursor: string | null };
  readonly filter: Filter<MigrantDoc>;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function pageSizeOf(first: number | null | undefined): number {
  if (first === null || first === undefined) return PLAIN_DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > PLAIN_MAX_PAGE_SIZE) {
    throw badInput(`\`first\` must be an integer from 0 to ${PLAIN_MAX_PAGE_SIZE}.`);
  }
  return first;
}

function dateRangeOf(value: string, name: string): { first: Date; last: Date } {
  const parsed = parsePartialDate(value);
  if (!parsed) throw badInput(`\`${name}\` must be a date YYYY, YYYY-MM or YYYY-MM-DD.`);
  return partialDateRange(parsed);
}

/** The records `filter` selects: not erased, and equal on each field given. */
function migrantFilterOf(filter: MigrantFilterArg | null | undefined): Filter<MigrantDoc> {
  const query: Record<string, unknown> = { erasedAt: null };
  if (!filter) return query as Filter<MigrantDoc>;
  if (filter.nationality != null) query['nationality'] = filter.nationality;
  if (filter.legalStatus != null) query['legalStatus'] = filter.legalStatus;
  if (filter.holder != null) query['holder'] = filter.holder;
  if (filter.familyName != null) query['familyName'] = filter.familyName;
  if (filter.documentNumber != null) query['documents.number'] = filter.documentNumber;
  const arrival: Record<string, Date> = {};
  if (filter.arrivedAfter != null) arrival['$gte'] = dateRangeOf(filter.arrivedAfter, 'arrivedAfter').first;
  if (filter.arrivedBefore != null) arrival['$lte'] = dateRangeOf(filter.arrivedBefore, 'arrivedBefore').last;
  if (Object.keys(arrival).length > 0) query['arrivalDate'] = arrival;
  return query as Filter<MigrantDoc>;
}

async function migrantsPage(args: MigrantsArgs, context: PlainContext): Promise<MigrantConnectionValue> {
  const size = pageSizeOf(args.first);
  const filter = migrantFilterOf(args.filter);
  const query: Filter<MigrantDoc> = args.after == null ? filter : { $and: [filter, { _id: { $gt: args.after } }] };
  const docs = await context.migrants.find(query, { sort: { _id: 1 }, limit: size + 1 }).toArray();
  const page = docs.slice(0, size);
  // Nested `family` links to records of this page cost no read.
  for (const doc of page) context.loaders.migrant.prime(doc._id, doc);
  const edges = page.map((node) => ({ node, cursor: node._id }));
  return { edges, pageInfo: { hasNextPage: docs.length > size, endCursor: edges.at(-1)?.cursor ?? null }, filter };
}

function dateOrNull(value: Date | null | undefined): string | null {
  return value instanceof Date ? toIsoDate(value) : null;
}

function present<T>(values: readonly (T | null | Error)[]): T[] {
  return values.filter((value): value is T => {
    if (value instanceof Error) throw value;
    return value !== null;
  });
}

/** The plain resolvers, by type; a field without one reads the property of its name. */
export const plainResolvers: IResolvers<unknown, PlainContext> = {
  PartialDate,
  DateTime,
  Query: {
    migrants: (_root: unknown, args: MigrantsArgs, context) => migrantsPage(args, context),
    migrant: (_root: unknown, { id }: { id: string }, context) => context.loaders.migrant.load(id),
    agreement: (_root: unknown, { id }: { id: string }, context) => context.agreements.findOne({ _id: id }),
    agreements: (_root: unknown, _args: unknown, context) => context.agreements.find({}, { sort: { _id: 1 } }).toArray(),
  },
  MigrantConnection: {
    totalCount: (connection: MigrantConnectionValue, _args: unknown, context) => context.migrants.countDocuments(connection.filter),
  },
  Migrant: {
    id: (migrant: MigrantDoc) => migrant._id,
    holder: (migrant: MigrantDoc, _args: unknown, context) => context.loaders.party.load(migrant.holder),
    dateOfBirth: (migrant: MigrantDoc) => dateOrNull(migrant.dateOfBirth),
    arrivalDate: (migrant: MigrantDoc) => dateOrNull(migrant.arrivalDate),
    family: async (migrant: MigrantDoc, _args: unknown, context) =>
      present(await context.loaders.migrant.loadMany((migrant.familyIds ?? []).filter((id) => id !== migrant._id))),
  },
  TravelDocument: {
    expiresOn: (document: TravelDocumentDoc) => dateOrNull(document.expiresOn),
  },
  VictimStatus: {
    identifiedOn: (status: NonNullable<MigrantDoc['victimStatus']>) => dateOrNull(status.identifiedOn),
  },
  Party: {
    code: (party: PartyDoc) => party._id,
  },
  Agreement: {
    id: (agreement: AgreementDoc) => agreement._id,
    parties: async (agreement: AgreementDoc, _args: unknown, context) => present(await context.loaders.party.loadMany(agreement.parties)),
    effectiveFrom: (agreement: AgreementDoc) => dateOrNull(agreement.effectiveFrom),
    expiresOn: (agreement: AgreementDoc) => dateOrNull(agreement.expiresOn),
  },
  Grant: {
    categories: (grant: GrantDoc) => Object.entries(grant.categories).map(([category, level]) => ({ category, level })),
  },
};

/** What both servers take from the command line and environment, as bench/server.ts does. */
export interface PlainServerSettings {
  readonly mongodbUri: string;
  readonly mongodbDb: string;
  readonly port: number;
}

/** Port from argv[2] (or BENCH_PORT, default 0: a free port), MONGODB_URI (required), MONGODB_DB (default `bench`). */
export function readPlainServerSettings(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): PlainServerSettings {
  const mongodbUri = env['MONGODB_URI'];
  if (!mongodbUri) throw new Error('MONGODB_URI is not set');
  const rawPort = argv[2] ?? env['BENCH_PORT'] ?? '0';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) throw new Error(`port must be an integer from 0 to 65535, got "${rawPort}"`);
  return { mongodbUri, mongodbDb: env['MONGODB_DB'] ?? 'bench', port };
}

/**
 * The bench's probes of a server process: `GET /bench/cpu` (`process.cpuUsage()`, µs) and
 * `GET /bench/memory` (as bench/server.ts answers it). Null for any other path.
 */
export function benchProbe(path: string): Record<string, number> | null {
  if (path === '/bench/cpu') {
    const { user, system } = process.cpuUsage();
    return { user, system };
  }
  if (path === '/bench/memory') {
    const { rss, heapUsed } = process.memoryUsage();
    return { rss, heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 };
  }
  return null;
}
