import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import {
  Kind,
  execute,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  parse,
  validate,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { customerSelection, orderSelection, type GqlContext } from './resolvers.ts';
import type { BulkOperationRecord, ShopStore } from './shop-store.ts';

/**
 * Bulk query operations (https://shopify.dev/docs/api/usage/bulk-operations/queries): the query runs over every
 * matching root object and is written as JSONL, one object per line; nested connections become their own lines with
 * `__parentId`, plain nested objects stay inline. The file is streamed to disk in chunks, never held in memory.
 */

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;
const CHUNK = 500;

export interface ValidBulkQuery {
  doc: DocumentNode;
  root: FieldNode;
  rootName: 'orders' | 'customers';
}

const connectionType = (t: GraphQLCompositeType): boolean => t.name.endsWith('Connection');

function fieldsOf(set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet));
  }
  return out;
}

function childType(parent: GraphQLCompositeType, name: string): GraphQLCompositeType | null {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return null;
  const f = parent.getFields()[name];
  if (f === undefined) return null;
  const n = getNamedType(f.type);
  return isCompositeType(n) ? n : null;
}

/** The node selection of a connection field: `edges { node {..} }` or `nodes {..}`. */
function nodeSelectionOf(conn: GraphQLCompositeType, field: FieldNode): { set: SelectionSetNode; type: GraphQLCompositeType } | null {
  if (field.selectionSet === undefined) return null;
  for (const f of fieldsOf(field.selectionSet)) {
    const t = childType(conn, f.name.value);
    if (t === null || f.selectionSet === undefined) continue;
    if (f.name.value === 'nodes') return { set: f.selectionSet, type: t };
    if (f.name.value === 'edges') {
      for (const ef of fieldsOf(f.selectionSet)) {
        const nt = childType(t, 'node');
        if (ef.name.value === 'node' && ef.selectionSet !== undefined && nt !== null) return { set: ef.selectionSet, type: nt };
      }
    }
  }
  return null;
}

/** Checks Shopify's bulk query rules; the message is what goes to `userErrors`. */
export function validateBulkQuery(schema: GraphQLSchema, query: string): { ok: true; value: ValidBulkQuery } | { ok: false; message: string } {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (e) {
    return { ok: false, message: `Invalid bulk query: ${(e as Error).message}` };
  }
  const errors = validate(schema, doc);
  if (errors.length > 0) return { ok: false, message: `Invalid bulk query: ${errors[0]?.message ?? ''}` };
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops[0];
  if (ops.length !== 1 || op === undefined || op.operation !== 'query') return { ok: false, message: 'Bulk queries must contain exactly one query operation.' };
  const tops = fieldsOf(op.selectionSet);
  const root = tops[0];
  if (tops.length !== 1 || root === undefined) return { ok: false, message: 'Bulk queries must have exactly one top-level field.' };
  if (root.name.value === 'node' || root.name.value === 'nodes')
    return { ok: false, message: 'Bulk queries cannot contain a top level `node` or `nodes` field.' };
  if (root.name.value !== 'orders' && root.name.value !== 'customers') {
    return { ok: false, message: 'Bulk queries must contain at least one connection.' };
  }
  let connections = 0;
  let problem: string | null = null;
  const walk = (type: GraphQLCompositeType, set: SelectionSetNode, depth: number): void => {
    const fields = fieldsOf(set);
    for (const f of fields) {
      const t = childType(type, f.name.value);
      if (t === null || f.selectionSet === undefined) continue;
      if (connectionType(t)) {
        connections++;
        if (depth + 1 > MAX_DEPTH) problem = `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_DEPTH}.`;
        if (f.arguments?.some((a) => ['first', 'last', 'after', 'before'].includes(a.name.value)) && depth > 0) {
          problem = 'Bulk queries do not support pagination arguments (first, last, after, before) on nested connections.';
        }
        const ns = nodeSelectionOf(t, f);
        if (ns === null) {
          problem = 'Connections must select `edges { node }` or `nodes`.';
          continue;
        }
        if (depth > 0 && !fields.some((x) => x.name.value === 'id')) {
          problem = `The parent 'node' field for a nested connection must select the 'id' field. Connection field: '${f.name.value}'`;
        }
        walk(ns.type, ns.set, depth + 1);
      } else {
        walk(t, f.selectionSet, depth);
      }
    }
  };
  const queryType = schema.getQueryType();
  if (queryType !== null && queryType !== undefined) walk(queryType, op.selectionSet, 0);
  if (connections > MAX_CONNECTIONS) problem = `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  if (problem !== null) return { ok: false, message: problem };
  return { ok: true, value: { doc, root, rootName: root.name.value } };
}

const fieldMaps = new WeakMap<SelectionSetNode, Map<string, FieldNode>>();
function fieldMap(set: SelectionSetNode): Map<string, FieldNode> {
  let m = fieldMaps.get(set);
  if (m === undefined) {
    m = new Map(fieldsOf(set).map((f) => [f.alias?.value ?? f.name.value, f]));
    fieldMaps.set(set, m);
  }
  return m;
}

/** Splits one result object into its JSONL lines: itself (without nested connections) then its children. */
function flatten(obj: Record<string, unknown>, type: GraphQLCompositeType, set: SelectionSetNode, parentId: string | null, out: unknown[]): void {
  const line: Record<string, unknown> = {};
  const children: (() => void)[] = [];
  const myId = typeof obj['id'] === 'string' ? (obj['id'] as string) : parentId;
  const fields = fieldMap(set);
  for (const [key, value] of Object.entries(obj)) {
    const f = fields.get(key);
    const t = f === undefined ? null : childType(type, f.name.value);
    if (f !== undefined && t !== null && connectionType(t) && value !== null && typeof value === 'object') {
      const ns = nodeSelectionOf(t, f);
      if (ns === null) continue;
      const conn = value as { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] };
      const nodes = conn.nodes ?? conn.edges?.map((e) => e.node) ?? [];
      children.push(() => {
        for (const n of nodes) flatten(n, ns.type, ns.set, myId, out);
      });
    } else {
      line[key] = value;
    }
  }
  if (parentId !== null) line['__parentId'] = parentId;
  out.push(line);
  for (const c of children) c();
}

export interface BulkRunDeps {
  schema: GraphQLSchema;
  filePath: string;
  /** Called after each chunk so the server stays responsive. */
  yieldToEventLoop: () => Promise<void>;
}

/** Runs a validated bulk query for `op`, streaming the JSONL to `deps.filePath`; updates `op` as it goes. */
export async function runBulkQuery(deps: BulkRunDeps, store: ShopStore, op: BulkOperationRecord, q: ValidBulkQuery, ctx: GqlContext): Promise<void> {
  op.status = 'RUNNING';
  const args: Record<string, unknown> = {};
  for (const a of q.root.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value, {});
  const sel =
    q.rootName === 'orders'
      ? orderSelection(store, args, { ...ctx, bulk: null }, [q.rootName])
      : customerSelection(store, args, { ...ctx, bulk: null }, [q.rootName]);
  const sorted = sel.sorted as readonly unknown[];
  const matches = sel.matches as (x: unknown) => boolean;
  const reverse = args['reverse'] === true;
  const roots: unknown[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[reverse ? sorted.length - 1 - i : i];
    if (matches(x)) roots.push(x);
  }
  const queryType = deps.schema.getQueryType();
  const rootConnType = queryType === null || queryType === undefined ? null : childType(queryType, q.rootName);
  const ns = rootConnType === null ? null : nodeSelectionOf(rootConnType, q.root);
  if (ns === null) throw new Error('validated bulk query lost its root node selection');
  const stream = createWriteStream(deps.filePath, { encoding: 'utf8' });
  const closed = once(stream, 'close');
  let failure: string | null = null;
  try {
    for (let start = 0; start < roots.length; start += CHUNK) {
      if (op.cancelRequested) break;
      const chunk = roots.slice(start, start + CHUNK);
      const result = await execute({ schema: deps.schema, document: q.doc, contextValue: { ...ctx, bulk: { rootItems: chunk } } });
      if (result.errors !== undefined && result.errors.length > 0) {
        const code = result.errors[0]?.extensions?.['code'];
        failure = code === 'ACCESS_DENIED' ? 'ACCESS_DENIED' : 'INTERNAL_SERVER_ERROR';
        break;
      }
      const conn = (result.data as Record<string, { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] }>)[
        q.root.alias?.value ?? q.rootName
      ];
      const nodes = conn?.nodes ?? conn?.edges?.map((e) => e.node) ?? [];
      const lines: unknown[] = [];
      for (const n of nodes) flatten(n, ns.type, ns.set, null, lines);
      op.rootObjectCount += nodes.length;
      op.objectCount += lines.length;
      let text = '';
      for (const l of lines) text += `${JSON.stringify(l)}\n`;
      if (!stream.write(text)) await once(stream, 'drain');
      await deps.yieldToEventLoop();
    }
  } finally {
    stream.end();
    await closed;
  }
  if (op.cancelRequested) {
    op.status = 'CANCELED';
  } else if (failure !== null) {
    op.status = 'FAILED';
    op.errorCode = failure as BulkOperationRecord['errorCode'];
  } else {
    // The result is published with the status, never after it: a poll in between would see "completed, no results".
    const fileSize = (await stat(deps.filePath)).size;
    op.fileSize = fileSize;
    op.filePath = op.objectCount > 0 ? deps.filePath : null;
    op.status = 'COMPLETED';
  }
}
