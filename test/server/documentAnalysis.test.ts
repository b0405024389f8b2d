/**
 * Each document analysed once (src/server/documentAnalysis.ts): parsed, validated,
 * measured and walked by the analysis, then taken by Apollo Server from the analysis's
 * document store without a parse or validation of its own, only when it is valid under
 * every rule Apollo Server applies. Apollo Server's parsing and validation hooks fire only
 * when it parses, so they show whether it did.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { analyseSelection, childFieldNames } from '../../src/context/selection';
import { createDocumentAnalysis } from '../../src/server/documentAnalysis';
import { buildGatewaySchema } from '../../src/server/schema';

const schema = buildGatewaySchema();
const SETTINGS = { maxDepth: 10, maxAliases: 30, maxDirectives: 20, maxTokens: 1_000, maxCost: 5_000, maxPageSize: 500 };

/** An Apollo Server on the analysis's document store that counts its own parses and validations. */
async function apolloWith(introspection: boolean) {
  const analysis = createDocumentAnalysis(schema, { ...SETTINGS, introspection });
  const counts = { parsed: 0, validated: 0 };
  const documents: DocumentNode[] = [];
  const counter: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async parsingDidStart() {
          counts.parsed++;
        },
        async validationDidStart() {
          counts.validated++;
        },
        async didResolveOperation({ document }) {
          documents.push(document);
        },
      };
    },
  };
  const server = new ApolloServer({ schema, introspection, documentStore: analysis.documentStore, plugins: [counter] });
  await server.start();
  return { analysis, counts, documents, server };
}

describe('the document analysis', () => {
  it('hands a valid document to Apollo Server, which neither parses nor validates it again', async () => {
    const { analysis, counts, documents, server } = await apolloWith(true);
    try {
      const query = '{ agreements { id title } }';
      const verdict = analysis.check(query, undefined, undefined);
      expect(verdict).toMatchObject({ ok: true });
      const document = verdict.ok ? verdict.document : null;
      await server.executeOperation({ query });
      await server.executeOperation({ query });
      expect(counts).toEqual({ parsed: 0, validated: 0 });
      // The very document the analysis parsed, and its walked selection, reach the plugins.
      expect(documents).toHaveLength(2);
      expect(documents[0]).toBe(document);
      expect([...analyseSelection(documents[0]!).fieldNames].sort()).toEqual(['agreements', 'id', 'title']);
    } finally {
      await server.stop();
    }
  });

  it('leaves Apollo Server to parse and report what is not valid (a syntax error, an unknown field)', async () => {
    const { analysis, counts, server } = await apolloWith(true);
    try {
      for (const query of ['{ agreements { id ', '{ nosuchfield }']) {
        expect(analysis.check(query, undefined, undefined)).toMatchObject({ ok: true });
        const response = await server.executeOperation({ query });
        expect(response.body.kind === 'single' && response.body.singleResult.errors?.length).toBeGreaterThan(0);
      }
      expect(counts.parsed).toBe(2);
    } finally {
      await server.stop();
    }
  });

  it('never hands on introspection where it is disabled: Apollo Server validates and refuses it itself', async () => {
    const { analysis, counts, server } = await apolloWith(false);
    try {
      const query = '{ __schema { queryType { name } } }';
      expect(analysis.check(query, undefined, undefined)).toMatchObject({ ok: true });
      const response = await server.executeOperation({ query });
      expect(counts).toEqual({ parsed: 1, validated: 1 });
      const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
      expect(errors?.[0]?.message).toMatch(/introspection is not allowed/i);
      // The same text where introspection is enabled is handed on.
      const enabled = await apolloWith(true);
      try {
        enabled.analysis.check(query, undefined, undefined);
        await enabled.server.executeOperation({ query });
        expect(enabled.counts).toEqual({ parsed: 0, validated: 0 });
      } finally {
        await enabled.server.stop();
      }
    } finally {
      await server.stop();
    }
  });

  it('never hands on a document past a limit of its text', async () => {
    const { analysis, counts, server } = await apolloWith(true);
    try {
      const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { sub }`).join(' ')} }`;
      expect(analysis.check(aliases, undefined, undefined)).toMatchObject({ ok: false, code: 'QUERY_TOO_COMPLEX' });
      await server.executeOperation({ query: aliases });
      expect(counts.parsed).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('the selection, walked once per document', () => {
  const parsedBy = (query: string): DocumentNode => {
    const analysis = createDocumentAnalysis(schema, { ...SETTINGS, introspection: true });
    const verdict = analysis.check(query, undefined, undefined);
    if (!verdict.ok || !verdict.document) throw new Error('not parsed');
    return verdict.document;
  };

  it('finds every field name, the root fields through fragments, and the fields directly under a field', () => {
    const document = parsedBy(`
      query Page { ...Roots migrants(first: 2) { ...Counted edges { node { givenName } } } }
      fragment Roots on Query { me { sub } ... on Query { agreements { id } } }
      fragment Counted on MigrantConnection { totalCount }
    `);
    const selection = analyseSelection(document);
    expect(analyseSelection(document)).toBe(selection);
    expect([...selection.fieldNames].sort()).toEqual(['agreements', 'edges', 'givenName', 'id', 'me', 'migrants', 'node', 'sub', 'totalCount']);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
    if (operation.kind !== 'OperationDefinition') throw new Error('no operation');
    expect([...selection.rootFieldNames(operation)].sort()).toEqual(['agreements', 'me', 'migrants']);
    const migrants = operation.selectionSet.selections.find((s) => s.kind === 'Field' && s.name.value === 'migrants');
    if (migrants?.kind !== 'Field') throw new Error('no migrants field');
    const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])));
    expect([...childFieldNames(migrants, fragments)].sort()).toEqual(['edges', 'totalCount']);
  });
});
