import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/**
 * Folder of `@shopify/dev-mcp`'s introspection files (`admin_<version>.json.gz`), found through the installed package
 * (resolving its entry does not run it). The files stay in the package: nothing of Shopify's is copied into the repo.
 */
export function adminIntrospectionDir(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@shopify/dev-mcp'))), 'data');
}

/** Path of the Admin API introspection for `apiVersion` (`2026-07`), which may not exist. */
export function adminIntrospectionPath(apiVersion: string): string {
  return join(adminIntrospectionDir(), `admin_${apiVersion}.json.gz`);
}

/**
 * Shopify's real Admin GraphQL schema for `apiVersion` (`2026-07`), built with `buildClientSchema` from the
 * introspection JSON that `@shopify/dev-mcp` ships. Throws when the package has no file for that version, naming the
 * versions it has and what to do.
 */
export function loadAdminSchema(apiVersion: string): GraphQLSchema {
  const path = adminIntrospectionPath(apiVersion);
  if (!existsSync(path)) {
    const have = readdirSync(adminIntrospectionDir())
      .map((f) => /^admin_(.+)\.json\.gz$/.exec(f)?.[1])
      .filter((v) => v !== undefined);
    throw new Error(
      `@shopify/dev-mcp has no Admin schema for API version ${apiVersion} (${path} is missing; it has ${have.join(', ')}). ` +
        'Upgrade @shopify/dev-mcp in test/package.json to a release that ships this version, or keep API_VERSION at one it has.',
    );
  }
  const json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { data?: IntrospectionQuery };
  if (!json.data?.__schema) throw new Error(`${path} is not an introspection result (no data.__schema)`);
  // Shopify's schema marks some interface implementations deprecated while the interface field is not, which graphql
  // 17's schema validation rejects; Shopify serves it as is, so documents are validated against it unchanged.
  return buildClientSchema(json.data, { assumeValid: true });
}
