import { createHash } from 'node:crypto';

/**
 * Metafield definitions and values as Shopify validates them (Admin API 2026-07): namespace and key format, the
 * app-reserved namespace (`$app:<sub>` resolves to `app--<app id>--<sub>`), type names, per-type value formats and the
 * definition's validations. Sources: shopify.dev "Metafield definitions", "List of data types", "Access and ownership
 * types", the `metafieldsSet` and `metafieldDefinitionCreate` references and their user error code enums.
 */

/** Types a definition or an unstructured metafield may use here (the scalar ones Shopify lists; references are not modelled). */
export const METAFIELD_TYPES = [
  'boolean',
  'color',
  'date',
  'date_time',
  'json',
  'money',
  'multi_line_text_field',
  'number_decimal',
  'number_integer',
  'rating',
  'single_line_text_field',
  'url',
  'list.single_line_text_field',
  'list.number_integer',
  'list.number_decimal',
] as const;

/** Validation names each type accepts (`MetafieldDefinitionType.supportedValidations`). */
const SUPPORTED_VALIDATIONS: Readonly<Record<string, readonly string[]>> = {
  number_integer: ['min', 'max'],
  number_decimal: ['min', 'max', 'max_precision'],
  single_line_text_field: ['min', 'max', 'regex', 'choices'],
  multi_line_text_field: ['min', 'max', 'regex'],
  'list.single_line_text_field': ['min', 'max', 'regex', 'choices', 'list.min', 'list.max'],
  'list.number_integer': ['min', 'max', 'list.min', 'list.max'],
  'list.number_decimal': ['min', 'max', 'max_precision', 'list.min', 'list.max'],
  date: ['min', 'max'],
  date_time: ['min', 'max'],
  rating: ['scale_min', 'scale_max'],
  url: ['allowed_domains'],
};

/** Shopify's limits on identifiers (2024-01 and later): namespace 3-255 characters, key 2-64. */
export const NAMESPACE_LENGTH = { min: 3, max: 255 } as const;
export const KEY_LENGTH = { min: 2, max: 64 } as const;
/** Values: single-line text up to 5,000 characters (Shopify's "List of data types"). */
const SINGLE_LINE_MAX = 5000;
/** `number_integer`: a signed 64-bit range is accepted; `number_decimal`: up to 9 decimal places. */
const INTEGER_RANGE = 9_007_199_254_740_991n;
const DECIMAL_PLACES = 9;

export interface MetafieldValidationRecord {
  name: string;
  value: string;
}

export interface MetafieldDefinitionRecord {
  id: number;
  name: string;
  /** Resolved namespace (`app--<id>--clvlens`). */
  namespace: string;
  key: string;
  description: string | null;
  ownerType: string;
  type: string;
  validations: MetafieldValidationRecord[];
  access: { admin: string | null; storefront: string; customerAccount: string };
  capabilities: { adminFilterable: boolean; smartCollectionCondition: boolean };
  pinnedPosition: number | null;
  createdAtMs: number;
}

export interface MetafieldRecord {
  id: number;
  ownerType: string;
  ownerId: number;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAtMs: number;
  updatedAtMs: number;
}

/** One user error as the payloads carry it. */
export interface MetafieldUserError {
  field: string[];
  message: string;
  code: string;
  elementIndex: number | null;
}

/** `compareDigest`: an opaque digest of the stored value (Shopify's is opaque too; a SHA-256 here). */
export function compareDigestOf(m: Pick<MetafieldRecord, 'namespace' | 'key' | 'value' | 'type'>): string {
  return createHash('sha256').update(`${m.namespace}\u0000${m.key}\u0000${m.type}\u0000${m.value}`).digest('hex');
}

/**
 * Resolves the app-reserved namespace forms for the calling app: `$app` is `app--<appId>`, `$app:<sub>` is
 * `app--<appId>--<sub>`. Null namespace (allowed on input) means `$app`.
 */
export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  if (namespace === null || namespace === undefined || namespace === '$app') return `app--${appId}`;
  if (namespace.startsWith('$app:')) return `app--${appId}--${namespace.slice(5)}`;
  return namespace;
}

/** Whether `namespace` (resolved) is reserved for another app or for Shopify, so this app may not use it. */
function reservedFor(namespace: string, appId: number): 'other-app' | 'shopify' | null {
  if (namespace.startsWith('shopify--') || namespace === 'shopify') return 'shopify';
  const m = /^app--(\d+)(?:--|$)/.exec(namespace);
  if (m !== null && Number(m[1]) !== appId) return 'other-app';
  return null;
}

const IDENT = /^[A-Za-z0-9_-]+$/;

/** Namespace and key format checks shared by both mutations; the field path is what the caller reports. */
function identifierErrors(
  namespace: string,
  key: string,
  appId: number,
  path: string[],
  index: number | null,
  codes: { invalid: string; tooShort: string; tooLong: string; reserved: string },
): MetafieldUserError[] {
  const out: MetafieldUserError[] = [];
  const reserved = reservedFor(namespace, appId);
  if (reserved !== null) {
    out.push({
      field: [...path, 'namespace'],
      code: codes.reserved,
      message:
        reserved === 'shopify' ? 'Namespace is reserved for Shopify.' : 'Access to this namespace and key on Metafields for this resource type is not allowed.',
      elementIndex: index,
    });
    return out;
  }
  const subject = namespace.replace(/^app--\d+(--)?/, '');
  if (namespace.length < NAMESPACE_LENGTH.min) {
    out.push({
      field: [...path, 'namespace'],
      code: codes.tooShort,
      message: `Namespace is too short (minimum is ${NAMESPACE_LENGTH.min} characters)`,
      elementIndex: index,
    });
  } else if (namespace.length > NAMESPACE_LENGTH.max) {
    out.push({
      field: [...path, 'namespace'],
      code: codes.tooLong,
      message: `Namespace is too long (maximum is ${NAMESPACE_LENGTH.max} characters)`,
      elementIndex: index,
    });
  } else if (subject !== '' && !IDENT.test(subject)) {
    out.push({ field: [...path, 'namespace'], code: codes.invalid, message: 'Namespace contains one or more invalid characters.', elementIndex: index });
  }
  if (key.length < KEY_LENGTH.min) {
    out.push({ field: [...path, 'key'], code: codes.tooShort, message: `Key is too short (minimum is ${KEY_LENGTH.min} characters)`, elementIndex: index });
  } else if (key.length > KEY_LENGTH.max) {
    out.push({ field: [...path, 'key'], code: codes.tooLong, message: `Key is too long (maximum is ${KEY_LENGTH.max} characters)`, elementIndex: index });
  } else if (!IDENT.test(key)) {
    out.push({ field: [...path, 'key'], code: codes.invalid, message: 'Key contains one or more invalid characters.', elementIndex: index });
  }
  return out;
}

/** Input of `metafieldDefinitionCreate` (the fields the fake models). */
export interface DefinitionInput {
  name: string;
  namespace?: string | null;
  key: string;
  type: string;
  ownerType: string;
  description?: string | null;
  validations?: MetafieldValidationRecord[] | null;
  access?: { admin?: string | null; storefront?: string | null; customerAccount?: string | null } | null;
  capabilities?: { adminFilterable?: { enabled: boolean } | null; smartCollectionCondition?: { enabled: boolean } | null } | null;
  pin?: boolean | null;
}

/** Admin-filterable definitions per owner type (Shopify caps it at 50 for a resource type). */
const ADMIN_FILTERABLE_LIMIT = 50;
/** Definitions per owner type and app (Shopify: 256 per resource type for an app's reserved namespace). */
const DEFINITIONS_PER_APP_LIMIT = 256;
/** Types that can be admin filters (Shopify's list for the capability). */
const ADMIN_FILTERABLE_TYPES = new Set([
  'boolean',
  'single_line_text_field',
  'list.single_line_text_field',
  'number_integer',
  'number_decimal',
  'date',
  'date_time',
]);

/** Validates a definition to create; returns the record to store or the user errors. */
export function checkDefinition(
  input: DefinitionInput,
  existing: readonly MetafieldDefinitionRecord[],
  appId: number,
): { ok: true; record: Omit<MetafieldDefinitionRecord, 'id' | 'createdAtMs' | 'pinnedPosition'> } | { ok: false; errors: MetafieldUserError[] } {
  const namespace = resolveNamespace(input.namespace, appId);
  const errors: MetafieldUserError[] = identifierErrors(namespace, input.key, appId, ['definition'], null, {
    invalid: 'INVALID_CHARACTER',
    tooShort: 'TOO_SHORT',
    tooLong: 'TOO_LONG',
    reserved: 'RESERVED_NAMESPACE_KEY',
  });
  if (input.name.trim() === '') errors.push({ field: ['definition', 'name'], code: 'BLANK', message: "Name can't be blank", elementIndex: null });
  if (!(METAFIELD_TYPES as readonly string[]).includes(input.type)) {
    errors.push({ field: ['definition', 'type'], code: 'INCLUSION', message: `Type name ${input.type} is not a valid type.`, elementIndex: null });
  }
  const validations = input.validations ?? [];
  const supported = SUPPORTED_VALIDATIONS[input.type] ?? [];
  for (const [i, v] of validations.entries()) {
    if (!supported.includes(v.name)) {
      errors.push({
        field: ['definition', 'validations', String(i), 'name'],
        code: 'INVALID_OPTION',
        message: `Validations contains an invalid option: '${v.name}'.`,
        elementIndex: null,
      });
    } else if (v.name === 'choices') {
      const choices = parseChoices(v.value);
      if (choices === null)
        errors.push({
          field: ['definition', 'validations', String(i), 'value'],
          code: 'INVALID_OPTION',
          message: 'Validations choices must be a JSON array of strings.',
          elementIndex: null,
        });
      else if (new Set(choices).size !== choices.length)
        errors.push({
          field: ['definition', 'validations', String(i), 'value'],
          code: 'DUPLICATE_OPTION',
          message: 'Validations choices contains duplicates.',
          elementIndex: null,
        });
    } else if ((v.name === 'min' || v.name === 'max') && !/^-?\d+(\.\d+)?$/.test(v.value)) {
      errors.push({
        field: ['definition', 'validations', String(i), 'value'],
        code: 'INVALID_OPTION',
        message: `Validations ${v.name} must be a number.`,
        elementIndex: null,
      });
    }
  }
  const isAppNamespace = namespace.startsWith(`app--${appId}`);
  if (input.access?.admin != null && !isAppNamespace) {
    errors.push({
      field: ['definition', 'access', 'admin'],
      code: 'ADMIN_ACCESS_INPUT_NOT_ALLOWED',
      message: 'Admin access can only be specified on metafield definitions that have an app namespace.',
      elementIndex: null,
    });
  }
  const filterable = input.capabilities?.adminFilterable?.enabled === true;
  if (filterable && !ADMIN_FILTERABLE_TYPES.has(input.type)) {
    errors.push({
      field: ['definition', 'capabilities'],
      code: 'INVALID_CAPABILITY',
      message: 'The capability admin_filterable is not valid for this definition.',
      elementIndex: null,
    });
  }
  const sameOwner = existing.filter((d) => d.ownerType === input.ownerType);
  if (filterable && sameOwner.filter((d) => d.capabilities.adminFilterable).length >= ADMIN_FILTERABLE_LIMIT) {
    errors.push({
      field: ['definition'],
      code: 'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS',
      message: `Limit of ${ADMIN_FILTERABLE_LIMIT} admin filterable definitions reached for this owner type.`,
      elementIndex: null,
    });
  }
  if (isAppNamespace && sameOwner.filter((d) => d.namespace.startsWith(`app--${appId}`)).length >= DEFINITIONS_PER_APP_LIMIT) {
    errors.push({
      field: ['definition'],
      code: 'RESOURCE_TYPE_LIMIT_EXCEEDED_BY_APP',
      message: `Limit of ${DEFINITIONS_PER_APP_LIMIT} definitions per resource type reached for this app.`,
      elementIndex: null,
    });
  }
  if (sameOwner.some((d) => d.namespace === namespace && d.key === input.key)) {
    errors.push({
      field: ['definition', 'key'],
      code: 'TAKEN',
      message: "Key is in use for Customer metafields on the '" + namespace + "' namespace.",
      elementIndex: null,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    record: {
      name: input.name,
      namespace,
      key: input.key,
      description: input.description ?? null,
      ownerType: input.ownerType,
      type: input.type,
      validations: validations.map((v) => ({ name: v.name, value: v.value })),
      access: {
        // App-owned definitions default to private to the app; others are merchant-owned (read and write for everyone).
        admin: isAppNamespace ? (input.access?.admin ?? 'PRIVATE') : 'PUBLIC_READ_WRITE',
        storefront: input.access?.storefront ?? 'NONE',
        customerAccount: input.access?.customerAccount ?? 'NONE',
      },
      capabilities: { adminFilterable: filterable, smartCollectionCondition: input.capabilities?.smartCollectionCondition?.enabled === true },
    },
  };
}

function parseChoices(value: string): string[] | null {
  try {
    const v = JSON.parse(value) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** Checks a value against its type; returns a message or null. */
export function valueError(type: string, value: string): string | null {
  switch (type) {
    case 'number_integer': {
      if (!/^[-+]?\d+$/.test(value)) return `Value must be an integer.`;
      const n = BigInt(value);
      return n > INTEGER_RANGE || n < -INTEGER_RANGE ? 'Value is out of range.' : null;
    }
    case 'number_decimal': {
      const m = /^[-+]?\d+(?:\.(\d+))?$/.exec(value);
      if (m === null) return 'Value must be a decimal number.';
      return (m[1]?.length ?? 0) > DECIMAL_PLACES ? `Value can have at most ${DECIMAL_PLACES} decimal places.` : null;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? null : 'Value must be true or false.';
    case 'single_line_text_field':
      if (/[\r\n]/.test(value)) return 'Value must be a single line.';
      return value.length > SINGLE_LINE_MAX ? `Value is too long (maximum is ${SINGLE_LINE_MAX} characters).` : null;
    case 'multi_line_text_field':
      return null;
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) ? null : 'Value must be a date (YYYY-MM-DD).';
    case 'date_time':
      return Number.isNaN(Date.parse(value)) ? 'Value must be an ISO 8601 date and time.' : null;
    case 'json':
    case 'money':
    case 'rating': {
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'Value must be valid JSON.';
      }
    }
    case 'url':
      return /^(https?|mailto|sms|tel):/.test(value) ? null : 'Value must be a URL.';
    case 'color':
      return /^#[0-9A-Fa-f]{6}$/.test(value) ? null : 'Value must be a hex color.';
    default:
      return null;
  }
}

/** Checks a value against the definition's validations (min/max/choices/max_precision/regex); returns a message or null. */
export function validationError(def: Pick<MetafieldDefinitionRecord, 'type' | 'validations'>, value: string): string | null {
  const numeric = def.type === 'number_integer' || def.type === 'number_decimal';
  for (const v of def.validations) {
    if (v.name === 'choices') {
      const choices = parseChoices(v.value) ?? [];
      if (!choices.includes(value)) return `Value does not exist in provided choices: ${JSON.stringify(choices)}.`;
    } else if (v.name === 'min' && numeric && Number(value) < Number(v.value)) {
      return `Value has a minimum of ${v.value}.`;
    } else if (v.name === 'max' && numeric && Number(value) > Number(v.value)) {
      return `Value has a maximum of ${v.value}.`;
    } else if (v.name === 'min' && !numeric && value.length < Number(v.value)) {
      return `Value is too short (minimum is ${v.value} characters).`;
    } else if (v.name === 'max' && !numeric && value.length > Number(v.value)) {
      return `Value is too long (maximum is ${v.value} characters).`;
    } else if (v.name === 'max_precision' && (/\.(\d+)$/.exec(value)?.[1]?.length ?? 0) > Number(v.value)) {
      return `Value can have at most ${v.value} decimal places.`;
    } else if (v.name === 'regex' && !new RegExp(v.value).test(value)) {
      return `Value does not match the pattern ${v.value}.`;
    }
  }
  return null;
}

/** Input of `metafieldsSet`. */
export interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

/** Most inputs one `metafieldsSet` call takes (the mutation's documented limit). */
export const METAFIELDS_SET_MAX = 25;

/** The checked form of one `metafieldsSet` input. */
export interface CheckedSet {
  ownerType: string;
  ownerId: number;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** What `checkSet` needs about the shop. */
export interface SetEnv {
  appId: number;
  /** The owner's type and numeric id when it exists, else null. */
  owner(gid: string): { ownerType: string; id: number } | null;
  definition(ownerType: string, namespace: string, key: string): MetafieldDefinitionRecord | undefined;
  current(ownerType: string, ownerId: number, namespace: string, key: string): MetafieldRecord | undefined;
}

/**
 * Validates every input of a `metafieldsSet` call. The mutation is atomic: with any error nothing is written, and
 * every error names its input by `elementIndex`.
 */
export function checkSet(inputs: readonly SetInput[], env: SetEnv): { ok: true; sets: CheckedSet[] } | { ok: false; errors: MetafieldUserError[] } {
  const errors: MetafieldUserError[] = [];
  const sets: CheckedSet[] = [];
  const seen = new Set<string>();
  for (const [i, input] of inputs.entries()) {
    const path = ['metafields', String(i)];
    const owner = env.owner(input.ownerId);
    if (owner === null) {
      errors.push({ field: [...path, 'ownerId'], code: 'INVALID', message: 'Owner does not exist.', elementIndex: i });
      continue;
    }
    const namespace = resolveNamespace(input.namespace, env.appId);
    const idErrors = identifierErrors(namespace, input.key, env.appId, path, i, {
      invalid: 'INVALID',
      tooShort: 'TOO_SHORT',
      tooLong: 'TOO_LONG',
      reserved: 'APP_NOT_AUTHORIZED',
    });
    if (idErrors.length > 0) {
      errors.push(...idErrors);
      continue;
    }
    const def = env.definition(owner.ownerType, namespace, input.key);
    const type = input.type ?? def?.type ?? null;
    if (type === null) {
      errors.push({ field: [...path, 'type'], code: 'BLANK', message: "Type can't be blank", elementIndex: i });
      continue;
    }
    if (!(METAFIELD_TYPES as readonly string[]).includes(type)) {
      errors.push({ field: [...path, 'type'], code: 'INVALID_TYPE', message: `${type} is not a valid type.`, elementIndex: i });
      continue;
    }
    if (def !== undefined && def.type !== type) {
      errors.push({
        field: [...path, 'type'],
        code: 'INVALID_TYPE',
        message: `Type '${type}' must be consistent with the definition's type: '${def.type}'.`,
        elementIndex: i,
      });
      continue;
    }
    const bad = valueError(type, input.value) ?? (def === undefined ? null : validationError(def, input.value));
    if (bad !== null) {
      errors.push({ field: [...path, 'value'], code: 'INVALID_VALUE', message: bad, elementIndex: i });
      continue;
    }
    const id = `${owner.ownerType}/${owner.id}/${namespace}/${input.key}`;
    if (seen.has(id)) {
      errors.push({ field: [...path, 'key'], code: 'TAKEN', message: 'The same namespace and key appear twice for this owner.', elementIndex: i });
      continue;
    }
    seen.add(id);
    if (input.compareDigest !== undefined) {
      const cur = env.current(owner.ownerType, owner.id, namespace, input.key);
      const digest = cur === undefined ? null : compareDigestOf(cur);
      if (input.compareDigest !== null && !/^[0-9a-f]{64}$/.test(input.compareDigest)) {
        errors.push({ field: [...path, 'compareDigest'], code: 'INVALID_COMPARE_DIGEST', message: 'The compareDigest is invalid.', elementIndex: i });
        continue;
      }
      if (input.compareDigest !== digest) {
        errors.push({
          field: [...path],
          code: 'STALE_OBJECT',
          message: 'The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.',
          elementIndex: i,
        });
        continue;
      }
    }
    sets.push({ ownerType: owner.ownerType, ownerId: owner.id, namespace, key: input.key, type, value: input.value });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sets };
}
