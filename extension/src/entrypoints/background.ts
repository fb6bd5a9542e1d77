import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createBackgroundService } from '../background/service.ts';
import { openRetentionDb } from '../db/schema.ts';
import { badgeSettingsItem } from '../settings.ts';
import { isOwnSender } from '../background/sender.ts';

const SYNC_ALARM = 'clvlens-sync';
const SYNC_PERIOD_MINUTES = 15;

export default defineBackground(() => {
  const service = createBackgroundService({
    openDb: () => openRetentionDb(),
    fetch: (input, init) => fetch(input, init),
    nowMs: () => Date.now(),
    settings: { get: () => badgeSettingsItem.getValue(), set: (s) => badgeSettingsItem.setValue(s) },
  });

  // Reply through sendResponse and return true: this works in Chromium, Firefox and both fake browsers.
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only this extension's own pages and content scripts (never another extension, never a web page).
    if (!isOwnSender(sender, browser.runtime.id)) return false;
    service.handleMessage(message).then(sendResponse);
    return true;
  });

  void service.resumeInterrupted();

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) void service.syncAll();
  });
  void browser.alarms.get(SYNC_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(SYNC_ALARM, { periodInMinutes: SYNC_PERIOD_MINUTES, delayInMinutes: 1 });
  });
});
