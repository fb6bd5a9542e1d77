/**
 * Validates every `#graphql` document of the app (shopify-app/src, tests excluded) against Shopify's real Admin API
 * schema, so no field the fake Shopify accepts is missing from the real one. The schema is the introspection JSON that
 * ships in the npm package `@shopify/dev-mcp` (`dist/data/admin_<version>.json.gz`); it is not a dependency (the
 * package is large), so fetch it once with `npm pack @shopify/dev-mcp` and pass the file:
 *
 *   node test/src/schema/check-admin-documents.ts /path/to/package/dist/data/admin_2026-07.json.gz
 *
 * Prints one line per document and exits 1 when any does not validate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, parse, validate, type IntrospectionQuery } from 'graphql';

const root = fileURLToPath(new URL('../../../shopify-app/src/', import.meta.url));

/** Each `#graphql`-tagged template literal's text in `source` (no `${}` interpolations are used in them). */
export function graphqlDocuments(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/`\s*#graphql\b([^`]*)`/g)) out.push(m[1]!);
  return out;
}

function main(schemaPath: string | undefined): number {
  if (!schemaPath) {
    process.stderr.write('usage: node test/src/schema/check-admin-documents.ts <admin_YYYY-MM.json.gz>\n');
    return 2;
  }
  const raw = readFileSync(schemaPath);
  const json = JSON.parse((schemaPath.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { data?: IntrospectionQuery } & IntrospectionQuery;
  // Shopify's schema breaks one rule graphql 17 checks (a non-deprecated interface field deprecated in an implementation,
  // e.g. Customer.hasTimelineComment); that says nothing about our documents, so the schema itself is taken as valid.
  const schema = buildClientSchema(json.data ?? json, { assumeValid: true });
  let failed = 0;
  let checked = 0;
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of files.sort()) {
    for (const text of graphqlDocuments(readFileSync(join(root, file), 'utf8'))) {
      if (text.includes('${')) {
        process.stdout.write(`skip ${file}: built with \${} at run time, not checked here\n`);
        continue;
      }
      const document = parse(text);
      const name = document.definitions.map((d) => ('name' in d && d.name ? d.name.value : '(anonymous)')).join(', ');
      const errors = validate(schema, document);
      checked++;
      if (errors.length === 0) {
        process.stdout.write(`ok   ${relative(root, join(root, file))}: ${name}\n`);
      } else {
        failed++;
        process.stdout.write(`FAIL ${file}: ${name}\n${errors.map((e) => `       ${e.message}`).join('\n')}\n`);
      }
    }
  }
  process.stdout.write(`${checked} documents, ${failed} failed, against ${schemaPath}\n`);
  return failed === 0 && checked > 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv[2]);
