import { storage } from 'wxt/utils/storage';
import { DEFAULT_BADGE_SETTINGS, type BadgeSettings } from './messages/protocol.ts';

/** The badge settings, versioned so later shapes migrate (wxt storage `version` + `migrations`). */
export const badgeSettingsItem = storage.defineItem<BadgeSettings>('local:badgeSettings', {
  fallback: DEFAULT_BADGE_SETTINGS,
  version: 1,
});
