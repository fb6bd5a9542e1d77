/// <reference lib="dom" />
import type { ShopSettingsV1 } from '@clvlens/core';
import { useEffect, useState } from 'preact/hooks';
import type { DashboardDeps } from '../client/deps.ts';
import { card, errorMessage, h, t, type El } from '../client/ui.ts';

/**
 * The merchant's churn horizon: which H "chance of no order in the next H days" means everywhere. Changing it refits
 * the shop's predictions (a full run), so the card says the numbers follow in a while.
 */
export function Settings({ deps }: { deps: DashboardDeps }): El {
  const [settings, setSettings] = useState<ShopSettingsV1 | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    void deps.request('/app/api/settings').then(
      (res) => (res.status === 200 ? setSettings(res.body as ShopSettingsV1) : setNote(t('dash.settings.loadFailed', { message: errorMessage(res.body) }))),
      (error: unknown) => setNote(t('dash.settings.loadFailed', { message: (error as Error).message })),
    );
  }, [deps]);
  const change = async (days: number) => {
    setBusy(true);
    try {
      const res = await deps.request('/app/api/settings', { method: 'PUT', body: { churnHorizonDays: days } });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      setSettings(res.body as ShopSettingsV1);
      setNote(t('dash.settings.saved', { days }));
      deps.toast?.(t('dash.settings.savedToast'));
    } catch (error) {
      setNote(t('dash.settings.saveFailed', { message: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return card(
    'settings',
    t('dash.settings.title'),
    h('label', { for: 'churn-horizon' }, `${t('dash.settings.label')} `),
    h(
      'select',
      {
        id: 'churn-horizon',
        disabled: settings === null || busy,
        value: settings === null ? undefined : String(settings.churnHorizonDays),
        onChange: (e: Event) => void change(Number((e.currentTarget as HTMLSelectElement).value)),
      },
      ...(settings?.churnHorizonChoices ?? []).map((d) => h('option', { key: d, value: String(d) }, t('dash.settings.option', { days: d }))),
    ),
    h('p', { class: 'muted' }, t('dash.settings.hint')),
    h('p', { class: 'muted', id: 'settings-note', 'aria-live': 'polite' }, note),
  );
}
