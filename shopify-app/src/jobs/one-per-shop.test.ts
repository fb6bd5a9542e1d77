import { describe, expect, it } from 'vitest';
import { onePerShop } from './one-per-shop.ts';

describe('onePerShop', () => {
  it("starts a shop's run only after its previous one ended, failed or not, and runs other shops alongside", async () => {
    const log: string[] = [];
    let fail = true;
    const run = onePerShop(async (shop: string, label: string) => {
      log.push(`start ${shop} ${label}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${shop} ${label}`);
      if (fail) {
        fail = false;
        throw new Error('first run fails');
      }
      return label;
    });
    const first = run('a', '1');
    const second = run('a', '2');
    const other = run('b', '3');
    await expect(first).rejects.toThrow('first run fails');
    expect(await second).toBe('2');
    expect(await other).toBe('3');
    expect(log.indexOf('start a 2')).toBeGreaterThan(log.indexOf('end a 1'));
    expect(log.indexOf('start b 3')).toBeLessThan(log.indexOf('end a 1'));
  });
});
