import { DEFAULT_BADGE_SETTINGS, type BadgeSettings } from '../messages/protocol.ts';
import type { BackgroundContext } from './context.ts';

/** Coerces stored or received settings to the current shape, keeping only booleans it knows. */
export function normalizeSettings(raw: unknown): BadgeSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<string, unknown>>;
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const f = (typeof r.fields === 'object' && r.fields !== null ? r.fields : {}) as Partial<Record<string, unknown>>;
  const d = DEFAULT_BADGE_SETTINGS;
  return {
    showListBadges: bool(r.showListBadges, d.showListBadges),
    showDetailCard: bool(r.showDetailCard, d.showDetailCard),
    fields: {
      churnTier: bool(f.churnTier, d.fields.churnTier),
      predictedClv: bool(f.predictedClv, d.fields.predictedClv),
      historicClv: bool(f.historicClv, d.fields.historicClv),
      orderCount: bool(f.orderCount, d.fields.orderCount),
      overdue: bool(f.overdue, d.fields.overdue),
      repeat: bool(f.repeat, d.fields.repeat),
    },
  };
}

/** The badge settings as the pages read and write them, always in the current shape. */
export interface BadgeSettingsService {
  get(): Promise<BadgeSettings>;
  /** Stores the normalized `raw` settings and returns them. */
  set(raw: unknown): Promise<BadgeSettings>;
}

export function createBadgeSettings(ctx: BackgroundContext): BadgeSettingsService {
  const store = ctx.deps.settings;
  return {
    get: async () => normalizeSettings(await store.get()),
    async set(raw) {
      const settings = normalizeSettings(raw);
      await store.set(settings);
      return settings;
    },
  };
}
