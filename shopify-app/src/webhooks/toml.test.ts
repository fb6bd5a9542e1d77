import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_SCOPES, API_VERSION } from '../shopify/config.ts';
import { WEBHOOK_HANDLERS } from './router.ts';

const toml = readFileSync(new URL('../../shopify.app.toml', import.meta.url), 'utf8');
const listed = (key: string): string[] =>
  [...toml.matchAll(new RegExp(`^${key} = \\[([^\\]]*)\\]`, 'gm'))].flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((t) => t[1]!));

describe('shopify.app.toml', () => {
  it('subscribes exactly the topics that have a handler, each with a "Handled by" comment', () => {
    expect([...listed('topics'), ...listed('compliance_topics')].sort()).toEqual(Object.keys(WEBHOOK_HANDLERS).sort());
    expect(toml.match(/^# Handled by: /gm)?.length).toBe(toml.match(/^\[\[webhooks\.subscriptions\]\]/gm)?.length);
  });

  it('declares the scopes and API version the code uses', () => {
    expect(toml).toContain(`scopes = "${APP_SCOPES.join(',')}"`);
    expect(toml).toContain(`api_version = "${API_VERSION}"`);
  });
});
