import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  print,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Every way `subset` departs from `full`, one line each: a type, field, argument, input field, enum value, union
 * member or interface that `subset` declares and `full` lacks, or declares with another kind, type (name, list and
 * nullability) or default; and arguments that `full` requires but `subset` does not declare. Empty when `subset` is a
 * faithful part of `full`. Descriptions and deprecations are not compared.
 *
 * @example
 * schemaSubsetMismatches(buildSchema(FULL_SDL), loadAdminSchema('2026-07')) // [] when the fake follows Shopify
 */
export function schemaSubsetMismatches(subset: GraphQLSchema, full: GraphQLSchema): string[] {
  const out: string[] = [];
  const roots: [string, GraphQLNamedType | null | undefined, GraphQLNamedType | null | undefined][] = [
    ['query', subset.getQueryType(), full.getQueryType()],
    ['mutation', subset.getMutationType(), full.getMutationType()],
    ['subscription', subset.getSubscriptionType(), full.getSubscriptionType()],
  ];
  for (const [op, mine, theirs] of roots) {
    if (mine && mine.name !== theirs?.name) out.push(`schema: ${op} root is ${mine.name}, Shopify's is ${theirs?.name ?? 'absent'}`);
  }

  for (const type of Object.values(subset.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const real = full.getType(type.name);
    if (!real) {
      out.push(`${type.name}: type not in Shopify's schema`);
      continue;
    }
    if (kindOf(real) !== kindOf(type)) {
      out.push(`${type.name}: ${kindOf(type)} here, ${kindOf(real)} in Shopify's schema`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(real) || isInterfaceType(real))) {
      const realFields = real.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirs = realFields[field.name];
        if (!theirs) out.push(`${type.name}.${field.name}: field not in Shopify's schema`);
        else out.push(...fieldMismatches(`${type.name}.${field.name}`, field, theirs));
      }
      const realInterfaces = new Set(real.getInterfaces().map((i) => i.name));
      for (const i of type.getInterfaces()) {
        if (!realInterfaces.has(i.name)) out.push(`${type.name}: implements ${i.name} here, not in Shopify's schema`);
      }
    }
    if (isInputObjectType(type) && isInputObjectType(real)) {
      const realFields = real.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirs = realFields[field.name];
        if (!theirs) out.push(`${type.name}.${field.name}: input field not in Shopify's schema`);
        else out.push(...valueMismatches(`${type.name}.${field.name}`, field, theirs));
      }
      for (const theirs of Object.values(realFields)) {
        if (!type.getFields()[theirs.name] && isRequired(theirs)) out.push(`${type.name}.${theirs.name}: required by Shopify, missing here`);
      }
    }
    if (isEnumType(type) && isEnumType(real)) {
      for (const v of type.getValues()) if (!real.getValue(v.name)) out.push(`${type.name}.${v.name}: enum value not in Shopify's schema`);
    }
    if (isUnionType(type) && isUnionType(real)) {
      const members = new Set(real.getTypes().map((t) => t.name));
      for (const t of type.getTypes()) if (!members.has(t.name)) out.push(`${type.name}: member ${t.name} not in Shopify's union`);
    }
  }
  return out;
}

function fieldMismatches(path: string, mine: GraphQLField<unknown, unknown>, theirs: GraphQLField<unknown, unknown>): string[] {
  const out: string[] = [];
  if (String(mine.type) !== String(theirs.type)) out.push(`${path}: type ${String(mine.type)} here, ${String(theirs.type)} in Shopify's schema`);
  for (const arg of mine.args) {
    const real = theirs.args.find((a) => a.name === arg.name);
    if (!real) out.push(`${path}(${arg.name}:): argument not in Shopify's schema`);
    else out.push(...valueMismatches(`${path}(${arg.name}:)`, arg, real));
  }
  for (const real of theirs.args) {
    if (!mine.args.some((a) => a.name === real.name) && isRequired(real)) out.push(`${path}(${real.name}:): required by Shopify, missing here`);
  }
  return out;
}

/** Type and default of an argument or input field. */
function valueMismatches(path: string, mine: GraphQLArgument | GraphQLInputField, theirs: GraphQLArgument | GraphQLInputField): string[] {
  const out: string[] = [];
  if (String(mine.type) !== String(theirs.type)) out.push(`${path}: type ${String(mine.type)} here, ${String(theirs.type)} in Shopify's schema`);
  const a = defaultOf(mine);
  const b = defaultOf(theirs);
  if (a !== b) out.push(`${path}: default ${a ?? 'none'} here, ${b ?? 'none'} in Shopify's schema`);
  return out;
}

/** A default as GraphQL source text, for comparison (SDL and introspection both give literals). */
function defaultOf(value: GraphQLArgument | GraphQLInputField): string | undefined {
  const d = value.default;
  if (!d) return undefined;
  if (d.literal) return print(d.literal);
  return JSON.stringify(d.value);
}

function isRequired(value: GraphQLArgument | GraphQLInputField): boolean {
  return String(value.type).endsWith('!') && value.default === undefined;
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input object';
  return 'scalar';
}
