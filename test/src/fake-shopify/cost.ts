import {
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  isListType,
  getNullableType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's query cost model (https://shopify.dev/docs/api/usage/rate-limits#cost-calculation): scalars and enums
 * cost 0, objects 1, a connection 2 plus `first`/`last` times the cost of one node, a mutation field 10 (in place of
 * its payload object's 1; what the payload selects is added, so `metafieldsSet { userErrors {...} }` costs 10 when it
 * succeeds and 10 plus one per user error otherwise). Requested
 * cost is computed from the query before running it; actual cost from what came back.
 */

const MUTATION_FIELD_COST = 10;

function argValue(field: FieldNode, name: string, variables: Readonly<Record<string, unknown>>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg === undefined ? undefined : valueFromASTUntyped(arg.value, variables);
}

/** Collects the fields of a selection set, flattening fragments (their type conditions are ignored for cost). */
function fieldsOf(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(sel.selectionSet, fragments, seen));
    else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
      const frag = fragments.get(sel.name.value);
      if (frag !== undefined) out.push(...fieldsOf(frag.selectionSet, fragments, new Set([...seen, sel.name.value])));
    }
  }
  return out;
}

interface CostEnv {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
}

function fieldType(parent: GraphQLCompositeType, name: string) {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  return parent.getFields()[name]?.type;
}

const isConnection = (typeName: string): boolean => typeName.endsWith('Connection');

/** Cost of one node of a connection selection: the max over `edges { node }` and `nodes`. */
function nodeSelection(env: CostEnv, connType: GraphQLCompositeType, set: SelectionSetNode): { type: GraphQLCompositeType; fields: FieldNode[] }[] {
  const out: { type: GraphQLCompositeType; fields: FieldNode[] }[] = [];
  for (const f of fieldsOf(set, env.fragments)) {
    const t = fieldType(connType, f.name.value);
    if (t === undefined || f.selectionSet === undefined) continue;
    const named = getNamedType(t);
    if (!isCompositeType(named)) continue;
    if (f.name.value === 'nodes') out.push({ type: named, fields: [f] });
    if (f.name.value === 'edges') {
      for (const ef of fieldsOf(f.selectionSet, env.fragments)) {
        if (ef.name.value !== 'node' || ef.selectionSet === undefined) continue;
        const nt = fieldType(named, 'node');
        const nn = nt === undefined ? undefined : getNamedType(nt);
        if (nn !== undefined && isCompositeType(nn)) out.push({ type: nn, fields: [ef] });
      }
    }
  }
  return out;
}

function requestedSet(env: CostEnv, parent: GraphQLCompositeType, set: SelectionSetNode): number {
  let total = 0;
  for (const f of fieldsOf(set, env.fragments)) {
    const t = fieldType(parent, f.name.value);
    if (t === undefined || f.selectionSet === undefined) continue;
    const named = getNamedType(t);
    if (!isCompositeType(named)) continue;
    if (isConnection(named.name)) {
      const size = Number(argValue(f, 'first', env.variables) ?? argValue(f, 'last', env.variables) ?? 0) || 0;
      let per = 0;
      for (const n of nodeSelection(env, named, f.selectionSet)) {
        per = Math.max(per, 1 + requestedSet(env, n.type, (n.fields[0] as FieldNode).selectionSet as SelectionSetNode));
      }
      total += 2 + size * per;
    } else {
      const listSize = isListType(getNullableType(t)) ? Number(argValue(f, 'first', env.variables) ?? 1) || 1 : 1;
      total += listSize * (1 + requestedSet(env, named, f.selectionSet));
    }
  }
  return total;
}

function actualValue(env: CostEnv, type: GraphQLCompositeType, set: SelectionSetNode, value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + actualValue(env, type, set, v), 0);
  return 1 + actualSet(env, type, set, value as Record<string, unknown>);
}

function actualSet(env: CostEnv, parent: GraphQLCompositeType, set: SelectionSetNode, data: Record<string, unknown>): number {
  let total = 0;
  for (const f of fieldsOf(set, env.fragments)) {
    const t = fieldType(parent, f.name.value);
    if (t === undefined || f.selectionSet === undefined) continue;
    const named = getNamedType(t);
    if (!isCompositeType(named)) continue;
    const v = data[f.alias?.value ?? f.name.value];
    if (v === null || v === undefined) continue;
    if (isConnection(named.name)) {
      const conn = v as Record<string, unknown>;
      let best = 0;
      for (const n of nodeSelection(env, named, f.selectionSet)) {
        const holder = n.fields[0] as FieldNode;
        const key = holder.alias?.value ?? holder.name.value;
        let sum = 0;
        if (holder.name.value === 'nodes') {
          sum = actualValue(env, n.type, holder.selectionSet as SelectionSetNode, conn[key]);
        } else {
          // `node` inside `edges`: find the edges list that holds it.
          for (const ef of fieldsOf(f.selectionSet, env.fragments)) {
            if (ef.name.value !== 'edges') continue;
            const edges = conn[ef.alias?.value ?? 'edges'];
            if (!Array.isArray(edges)) continue;
            for (const e of edges) sum += actualValue(env, n.type, holder.selectionSet as SelectionSetNode, (e as Record<string, unknown>)[key]);
          }
        }
        best = Math.max(best, sum);
      }
      total += 2 + best;
    } else {
      total += actualValue(env, named, f.selectionSet, v);
    }
  }
  return total;
}

function operationOf(doc: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
}

function envOf(schema: GraphQLSchema, doc: DocumentNode, variables: Readonly<Record<string, unknown>>): CostEnv {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return { schema, fragments, variables };
}

/** Requested (maximum) cost of an operation, before running it. */
export function requestedQueryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
): number {
  const op = operationOf(doc, operationName);
  if (op === undefined) return 0;
  const env = envOf(schema, doc, variables);
  const root = op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (root === null || root === undefined) return 0;
  if (op.operation !== 'mutation') return requestedSet(env, root, op.selectionSet);
  let total = 0;
  for (const f of fieldsOf(op.selectionSet, env.fragments)) {
    const t = fieldType(root, f.name.value);
    const named = t === undefined ? undefined : getNamedType(t);
    total +=
      MUTATION_FIELD_COST + (named !== undefined && isCompositeType(named) && f.selectionSet !== undefined ? requestedSet(env, named, f.selectionSet) : 0);
  }
  return total;
}

/** Actual cost of an operation from the data it returned. */
export function actualQueryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  data: Record<string, unknown> | null | undefined,
): number {
  const op = operationOf(doc, operationName);
  if (op === undefined || data === null || data === undefined) return 0;
  const env = envOf(schema, doc, variables);
  const root = op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (root === null || root === undefined) return 0;
  if (op.operation !== 'mutation') return actualSet(env, root, op.selectionSet, data);
  let total = 0;
  for (const f of fieldsOf(op.selectionSet, env.fragments)) {
    const t = fieldType(root, f.name.value);
    const named = t === undefined ? undefined : getNamedType(t);
    const payload = data[f.alias?.value ?? f.name.value];
    const children =
      named !== undefined && isCompositeType(named) && f.selectionSet !== undefined && payload !== null && typeof payload === 'object'
        ? actualSet(env, named, f.selectionSet, payload as Record<string, unknown>)
        : 0;
    total += MUTATION_FIELD_COST + children;
  }
  return total;
}
