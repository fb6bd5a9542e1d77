import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '@clvlens/shopify-app';
import { FULL_SDL } from '../fake-shopify/schema-sdl.ts';
import { scanGraphqlDocuments, TRANSPORT_FILES, type DocumentScan, type FoundDocument } from './admin-schema/app-documents.ts';
import { loadAdminSchema } from './admin-schema/load-admin-schema.ts';
import { schemaSubsetMismatches } from './admin-schema/schema-subset.ts';

// Shopify's real Admin schema for the app's API version (from @shopify/dev-mcp), against every document the app
// sends and against the fake Shopify's schema. How it works and how to bump the version: test/README.md.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Documents the tests send wrong on purpose (to see the fake answer as Shopify would): file and graphql's message. */
const INVALID_ON_PURPOSE = ['test/src/contract/graphql-client.contract.test.ts: Cannot query field "noSuchField" on type "Shop".'];

/** One line per problem: where the document is, its operation, and graphql's message with the place in the document. */
function validationErrors(schema: GraphQLSchema, doc: FoundDocument): string[] {
  const where = `${doc.file}:${doc.line}${doc.role === 'bulk-query' ? ' (bulk query)' : ''}`;
  let ast;
  try {
    ast = parse(doc.text);
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
  const name = ast.definitions.map((d) => ('name' in d && d.name ? d.name.value : 'anonymous')).join(', ');
  return validate(schema, ast).map((e) => {
    const loc = e.locations?.[0];
    return `${where} ${name}: ${e.message}${loc ? ` (document line ${loc.line}, column ${loc.column})` : ''}`;
  });
}

describe(`Shopify Admin API ${API_VERSION} schema`, () => {
  let real: GraphQLSchema;
  let scan: DocumentScan;
  beforeAll(() => {
    real = loadAdminSchema(API_VERSION);
    scan = scanGraphqlDocuments({
      root: ROOT,
      tsconfig: 'shopify-app/tsconfig.json',
      include: (f) => f.startsWith('shopify-app/src/') && !f.endsWith('.test.ts'),
    });
  });

  it('loads from @shopify/dev-mcp for the version the app uses', () => {
    expect(real.getQueryType()?.name).toBe('QueryRoot');
    expect(real.getType('Order')).toBeDefined();
  });

  it('refuses a version @shopify/dev-mcp does not ship, naming the ones it has', () => {
    expect(() => loadAdminSchema('1999-01')).toThrow(/no Admin schema for API version 1999-01 .*it has .*2026-07/);
  });

  it('traces every GraphQL call in shopify-app/src to a document, and every document to a call', () => {
    expect(scan.problems).toEqual([]);
    const transport = scan.callSites.filter((s) => s.forwards);
    const senders = scan.callSites.filter((s) => !s.forwards);
    expect(transport.map((s) => s.file)).toEqual(TRANSPORT_FILES);
    expect(senders.length).toBeGreaterThan(0);
    // Each call site sends exactly one request document, and the documents found are exactly those sent.
    for (const site of senders)
      expect(
        site.documents.filter((d) => d.role === 'operation'),
        `${site.file}:${site.line}`,
      ).toHaveLength(1);
    expect(new Set(senders.flatMap((s) => s.documents))).toEqual(new Set(scan.documents));
    expect(scan.documents.filter((d) => d.role === 'bulk-query').length).toBeGreaterThan(0);
  });

  it("validates every document the app sends, bulk queries included, against Shopify's schema", () => {
    expect(scan.documents.flatMap((d) => validationErrors(real, d))).toEqual([]);
  });

  it("keeps the fake Shopify's schema a faithful subset of Shopify's: types, fields, arguments, enum values", () => {
    expect(schemaSubsetMismatches(buildSchema(FULL_SDL), real)).toEqual([]);
  });

  it("validates every document the app sends against the fake Shopify's schema", () => {
    const fake = buildSchema(FULL_SDL);
    expect(scan.documents.flatMap((d) => validationErrors(fake, d))).toEqual([]);
  });

  describe('documents the tests send to the fake Shopify as Shopify clients', () => {
    let tests: DocumentScan;
    beforeAll(() => {
      // The fake's own server files are left out: they answer GraphQL, and schema-sdl.ts is SDL, not a document.
      tests = scanGraphqlDocuments({
        root: ROOT,
        tsconfig: 'tsconfig.json',
        include: (f) =>
          f.startsWith('test/src/') && !f.startsWith('test/src/contract/admin-schema') && !(f.startsWith('test/src/fake-shopify/') && !f.endsWith('.test.ts')),
        testCode: true,
      });
    });

    it('traces every client call, JSON body and helper call in test/src to its documents', () => {
      expect(tests.problems).toEqual([]);
      for (const site of tests.callSites.filter((s) => !s.forwards)) expect(site.documents.length, `${site.file}:${site.line}`).toBeGreaterThan(0);
      expect(tests.documents.filter((d) => d.role === 'bulk-query').length).toBeGreaterThan(0);
    });

    it("validates them, bulk queries included, against Shopify's schema, except those wrong on purpose", () => {
      const errors = tests.documents.flatMap((d) => {
        let ast;
        try {
          ast = parse(d.text);
        } catch (error) {
          return [{ at: `${d.file}:${d.line}`, key: `${d.file}: ${(error as Error).message}` }];
        }
        return validate(real, ast).map((e) => ({ at: `${d.file}:${d.line}`, key: `${d.file}: ${e.message}` }));
      });
      expect(errors.filter((e) => !INVALID_ON_PURPOSE.includes(e.key)).map((e) => `${e.at}: ${e.key}`)).toEqual([]);
      // Each exception is still there and still wrong, so the list cannot go stale.
      expect(errors.map((e) => e.key).filter((k) => INVALID_ON_PURPOSE.includes(k))).toEqual(INVALID_ON_PURPOSE);
    });
  });
});
