import { CHURN_HORIZONS_DAYS, type ShopSettingsV1 } from '@clvlens/core';
import type { Kysely } from 'kysely';
import { ApiError } from '../errors.ts';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../log.ts';

/** The merchant's settings: the only writer of `shop_settings`. */
export interface ShopSettings {
  /** H for the shop's churn probability, days: its own choice, else the app's default. */
  churnHorizonDays(shop: string): Promise<number>;
  read(shop: string): Promise<ShopSettingsV1>;
  /**
   * Applies a `PUT /app/api/settings` body (already parsed JSON). Throws ApiError('bad-request') naming the field for
   * anything but an object of known fields with allowed values. `changed` tells the caller to refit (a new horizon
   * asks another question, so the next recompute is a full one).
   */
  update(shop: string, body: unknown): Promise<{ settings: ShopSettingsV1; changed: boolean }>;
}

export function createShopSettings(deps: { db: Kysely<DB>; clock: Clock; defaultChurnHorizonDays: number }): ShopSettings {
  const { db, clock, defaultChurnHorizonDays } = deps;

  const stored = async (shop: string): Promise<number | null> => {
    const row = await db.selectFrom('shop_settings').select('churn_horizon_days').where('shop_id', '=', shop).executeTakeFirst();
    return row?.churn_horizon_days ?? null;
  };

  const toV1 = (own: number | null): ShopSettingsV1 => ({
    churnHorizonDays: own ?? defaultChurnHorizonDays,
    churnHorizonChoices: CHURN_HORIZONS_DAYS,
    churnHorizonIsDefault: own === null,
  });

  return {
    churnHorizonDays: async (shop) => (await stored(shop)) ?? defaultChurnHorizonDays,
    read: async (shop) => toV1(await stored(shop)),
    async update(shop, body) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError('bad-request', 'The body must be a JSON object, e.g. {"churnHorizonDays":90}.');
      }
      for (const key of Object.keys(body)) {
        if (key !== 'churnHorizonDays') throw new ApiError('bad-request', `${key}: not a setting (settings: churnHorizonDays).`);
      }
      const before = await stored(shop);
      const value = (body as { churnHorizonDays?: unknown }).churnHorizonDays;
      if (value === undefined) return { settings: toV1(before), changed: false };
      if (typeof value !== 'number' || !CHURN_HORIZONS_DAYS.includes(value)) {
        throw new ApiError('bad-request', `churnHorizonDays: expected one of ${CHURN_HORIZONS_DAYS.join(', ')} (days), got ${JSON.stringify(value)}.`);
      }
      const row = { churn_horizon_days: value, updated_at: new Date(clock.now()) };
      await db
        .insertInto('shop_settings')
        .values({ shop_id: shop, ...row })
        .onConflict((oc) => oc.column('shop_id').doUpdateSet(row))
        .execute();
      return { settings: toV1(value), changed: (before ?? defaultChurnHorizonDays) !== value };
    },
  };
}
