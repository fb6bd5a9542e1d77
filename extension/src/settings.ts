import { storage } from 'wxt/utils/storage';
import { DEFAULT_BADGE_SETTINGS, type BadgeSettings } from './messages/protocol.ts';

/**
 * The badge settings, versioned so later shapes migrate (wxt storage `version` + `migrations`). Version 2 shows the
 * risk and Predicted CLV instead of the historic CLV and order count, which the admin's own columns already show.
 */
export const badgeSettingsItem = storage.defineItem<BadgeSettings>('local:badgeSettings', {
  fallback: DEFAULT_BADGE_SETTINGS,
  version: 2,
  migrations: {
    2: (old: BadgeSettings): BadgeSettings => ({
      ...old,
      fields: { ...old.fields, predictedClv: true, historicClv: false, orderCount: false, repeat: false },
    }),
  },
});
