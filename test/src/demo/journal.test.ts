import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { generateShop } from '../generator/generate.ts';
import { startLiveShop } from '../generator/live.ts';
import { journalingControl, replayJournal } from './journal.ts';

const END_MS = Date.UTC(2026, 10, 1);
const shopOptions = { seed: 'journal-test', customers: 60, historyDays: 120, endMs: END_MS, shopName: 'Journal Test' };
const fakes: FakeShopify[] = [];
const dirs: string[] = [];

async function fakeWithShop(): Promise<{ fake: FakeShopify; domain: string }> {
  const fake = await createFakeShopify({ appApiKey: 'k', appSecret: 's', now: () => END_MS + 3_600_000 });
  fakes.push(fake);
  const data = generateShop(shopOptions);
  fake.control.loadShop(data);
  return { fake, domain: data.shop.domain };
}

function tempJournal(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-journal-'));
  dirs.push(dir);
  return join(dir, 'live-journal.ndjson');
}

afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('live journal', () => {
  it('rebuilds exactly the shop live mode changed: regenerate from the seed, then replay', async () => {
    const path = tempJournal();
    const first = await fakeWithShop();
    const live = startLiveShop({
      fake: { control: journalingControl(first.fake.control, path) },
      shopDomain: first.domain,
      ordersPerMinute: 1,
      seed: 'journal-live',
    });
    await live.stop();
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const action = live.step();
      if (action) kinds.add(action.kind);
    }
    expect(kinds.has('order-created')).toBe(true);
    expect(kinds.size).toBeGreaterThanOrEqual(3);

    const second = await fakeWithShop();
    const summary = replayJournal(second.fake.control, path);
    expect(summary.applied).toBeGreaterThanOrEqual(40);
    expect(summary.skipped).toEqual({ truncated: 0, rejected: 0 });
    expect(second.fake.control.truth(second.domain)).toEqual(first.fake.control.truth(first.domain));
  });

  it('skips a last line cut short by a crash, and refuses a broken file', async () => {
    const path = tempJournal();
    const { fake, domain } = await fakeWithShop();
    const control = journalingControl(fake.control, path);
    const order = fake.control.truth(domain).orders.find((o) => !o.test && o.cancelledAtMs === null)!;
    control.updateOrder(domain, order.id, { tags: ['journal'], updatedAtMs: END_MS + 1000 });
    appendFileSync(path, '{"op":"addOrder","args":[');
    const replayed = await fakeWithShop();
    expect(replayJournal(replayed.fake.control, path)).toEqual({ applied: 1, skipped: { truncated: 1, rejected: 0 } });
    expect(replayed.fake.control.truth(domain).orders.find((o) => o.id === order.id)!.tags).toEqual(['journal']);

    writeFileSync(path, 'not json\n{"op":"updateOrder","args":[]}\n');
    expect(() => replayJournal(replayed.fake.control, path)).toThrow(/live-journal\.ndjson:1: not a JSON line/);
    writeFileSync(path, '{"op":"redactShop","args":["x"]}\n');
    expect(() => replayJournal(replayed.fake.control, path)).toThrow(/unknown journal entry "redactShop"/);
  });
});
