import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { FakeShopifyError } from './errors.ts';

/** One field of a Flow trigger extension (`[[settings.fields]]`). */
export interface FlowTriggerField {
  type: string;
  /** Absent for reference fields, whose payload key is fixed (`customer_id` for `customer_reference`). */
  key: string | null;
}

/** A Flow trigger the app defines (`type = "flow_trigger"` in an extension's `shopify.extension.toml`). */
export interface FlowTriggerDefinition {
  handle: string;
  name: string;
  fields: FlowTriggerField[];
}

/** A trigger call Shopify accepted, as a test or the demo reads it back. */
export interface FlowTriggerEvent {
  shop: string;
  handle: string;
  payload: Record<string, unknown>;
  receivedAtMs: number;
}

/** Largest payload accepted, bytes of its JSON (the live API's limit; see the app's flow-trigger.ts). */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

/** Payload keys of Flow's reference field types. */
const REFERENCE_KEYS: Record<string, string> = {
  customer_reference: 'customer_id',
  order_reference: 'order_id',
  product_reference: 'product_id',
};

/** The app's extensions folder in this repository. */
export const APP_EXTENSIONS_DIR = fileURLToPath(new URL('../../../shopify-app/extensions/', import.meta.url));

/** Reads every `flow_trigger` extension under `dir` (one folder per extension), as Shopify does on deploy. */
export function loadFlowTriggers(dir: string = APP_EXTENSIONS_DIR): FlowTriggerDefinition[] {
  if (!existsSync(dir)) return [];
  const out: FlowTriggerDefinition[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name, 'shopify.extension.toml');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const doc = parse(readFileSync(file, 'utf8')) as {
      extensions?: { type?: string; handle?: string; name?: string }[];
      settings?: { fields?: { type?: string; key?: string }[] };
    };
    for (const ext of doc.extensions ?? []) {
      if (ext.type !== 'flow_trigger') continue;
      if (!ext.handle || !/^[a-z0-9-]{1,30}$/.test(ext.handle)) {
        throw new FakeShopifyError('BAD_INPUT', `${file}: handle must be 1-30 lowercase letters, digits or hyphens`);
      }
      const fields = (doc.settings?.fields ?? []).map((f): FlowTriggerField => {
        if (!f.type) throw new FakeShopifyError('BAD_INPUT', `${file}: a field has no type`);
        if (f.type in REFERENCE_KEYS) return { type: f.type, key: null };
        if (!f.key) throw new FakeShopifyError('BAD_INPUT', `${file}: the ${f.type} field needs a key`);
        return { type: f.type, key: f.key };
      });
      out.push({ handle: ext.handle, name: ext.name ?? ext.handle, fields });
    }
  }
  return out;
}

/** The type error of one payload value against its field type, or null when it fits. */
function typeProblem(type: string, value: unknown): string | null {
  switch (type) {
    case 'customer_reference':
    case 'order_reference':
    case 'product_reference':
      return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? null : 'must be a numeric id';
    case 'single_line_text_field':
      return typeof value === 'string' && !value.includes('\n') ? null : 'must be a single line of text';
    case 'multi_line_text_field':
    case 'email':
    case 'url':
      return typeof value === 'string' ? null : 'must be a string';
    case 'number_integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : 'must be an integer';
    case 'number_decimal':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    default:
      return null;
  }
}

/**
 * Flow's side of `flowTriggerReceive(handle:, payload:)`: the handle must name a trigger the app deployed, the
 * payload must be a JSON object of at most {@link FLOW_PAYLOAD_MAX_BYTES}, its keys the trigger's field keys (the
 * reference fields' fixed keys included) and each value of its field's type. A workflow that reads a field the payload
 * left out fails in Flow, so a missing key is accepted, as Shopify does. Problems come back as `userErrors`
 * (`[{field, message}]`; the wording is the fake's); an accepted call is logged for tests and the demo.
 */
export class FlowTriggerReceiver {
  private readonly byHandle: Map<string, FlowTriggerDefinition>;
  private readonly received: FlowTriggerEvent[] = [];

  constructor(definitions: readonly FlowTriggerDefinition[]) {
    this.byHandle = new Map(definitions.map((d) => [d.handle, d]));
  }

  receive(shop: string, args: { handle?: string | null; payload?: unknown; body?: string | null }, nowMs: number): { field: string[]; message: string }[] {
    if (args.body !== undefined && args.body !== null) {
      return [{ field: ['body'], message: 'The body argument is deprecated: send handle and payload.' }];
    }
    const definition = args.handle ? this.byHandle.get(args.handle) : undefined;
    if (!definition) return [{ field: ['handle'], message: `No Flow trigger with handle ${JSON.stringify(args.handle ?? null)} is defined by this app.` }];
    const payload = args.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [{ field: ['payload'], message: 'Payload must be a JSON object.' }];
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    if (bytes > FLOW_PAYLOAD_MAX_BYTES) {
      return [{ field: ['payload'], message: `Payload is ${bytes} bytes; the limit is ${FLOW_PAYLOAD_MAX_BYTES} bytes.` }];
    }
    const types = new Map(definition.fields.map((f) => [f.key ?? REFERENCE_KEYS[f.type]!, f.type]));
    const errors: { field: string[]; message: string }[] = [];
    for (const [key, value] of Object.entries(payload)) {
      const type = types.get(key);
      if (type === undefined) errors.push({ field: ['payload', key], message: `${JSON.stringify(key)} is not a field of trigger ${definition.handle}.` });
      else {
        const problem = typeProblem(type, value);
        if (problem !== null) errors.push({ field: ['payload', key], message: `${JSON.stringify(key)} ${problem} (${type}).` });
      }
    }
    if (errors.length === 0) this.received.push({ shop, handle: definition.handle, payload: payload as Record<string, unknown>, receivedAtMs: nowMs });
    return errors;
  }

  /** Accepted calls, oldest first. */
  events(filter: { shop?: string; handle?: string } = {}): FlowTriggerEvent[] {
    return this.received.filter((e) => (filter.shop === undefined || e.shop === filter.shop) && (filter.handle === undefined || e.handle === filter.handle));
  }

  definitions(): FlowTriggerDefinition[] {
    return [...this.byHandle.values()];
  }
}
