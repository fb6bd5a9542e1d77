/// <reference lib="dom" />
/**
 * The dashboard's customer export card: a Preact component of the dashboard's client (bundled by vite.config.ts);
 * error messages are text children, never markup.
 */
import { createTranslator, type MessageKey, type MessageParams } from '@clvlens/core/i18n';
import type { ComponentChild } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { el, messageOf, type FeedbackCardDeps } from './feedback.ts';

/** RFM segments in the order of Shopify's report (core's RFM_SEGMENTS; the browser loads only the catalog). */
const SEGMENTS = ['CHAMPIONS', 'LOYAL', 'ACTIVE', 'NEEDS_ATTENTION', 'PROMISING', 'NEW', 'AT_RISK', 'PREVIOUSLY_LOYAL', 'ALMOST_LOST', 'DORMANT'] as const;

/**
 * The "Export customers" card: one risk tier or RFM segment as CSV from `/app/api/export` (headers in the admin's
 * language), names and emails read live from Shopify unless unticked.
 */
export function ExportCard({ deps }: { deps: FeedbackCardDeps }): ComponentChild {
  const tr = useMemo(() => createTranslator(deps.locale), [deps.locale]);
  const t = (key: MessageKey, params?: MessageParams) => tr.t(key, params);
  const select = useRef<HTMLSelectElement>(null);
  const names = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [withNames, setWithNames] = useState(true);
  const exportChosen = () => {
    setWithNames(names.current?.checked ?? true);
    const [by, value] = (select.current?.value ?? '').split(':') as [string, string];
    const path = `/app/api/export?by=${by}&value=${encodeURIComponent(value)}&names=${names.current?.checked ? '1' : '0'}&locale=${deps.locale}`;
    const download = deps.download;
    if (!download) return;
    setBusy(true);
    setNote(t('dash.export.working'));
    void (async () => {
      try {
        const res = await download(path);
        if (res.status !== 200 || res.blob === null) throw new Error(messageOf(res.body, tr));
        const fileName = `clvlens-${by}-${value.toLowerCase().replace(/_/g, '-')}.csv`;
        deps.save?.(res.blob, fileName);
        setNote(t('dash.export.done', { file: fileName }));
      } catch (error) {
        setNote(t('dash.export.failed', { message: (error as Error).message }));
      } finally {
        setBusy(false);
      }
    })();
  };
  return el(
    'section',
    { class: 'card', id: 'export', 'aria-labelledby': 'export-title' },
    el('h2', { id: 'export-title' }, t('dash.export.title')),
    el('p', { class: 'muted' }, t('dash.export.intro')),
    el('label', { for: 'export-choice' }, `${t('dash.export.choose')} `),
    el(
      'select',
      { id: 'export-choice', ref: select },
      el(
        'optgroup',
        { label: t('dash.export.groupTiers') },
        ...(['high', 'medium', 'low'] as const).map((tier) => el('option', { key: tier, value: `tier:${tier}` }, t(`tier.${tier}`))),
      ),
      el('optgroup', { label: t('dash.export.groupSegments') }, ...SEGMENTS.map((s) => el('option', { key: s, value: `segment:${s}` }, t(`segment.${s}`)))),
    ),
    el(
      'p',
      {},
      el(
        'label',
        { class: 'check' },
        el('input', {
          type: 'checkbox',
          id: 'export-names',
          ref: names,
          checked: withNames,
          onChange: (e: Event) => setWithNames((e.currentTarget as HTMLInputElement).checked),
        }),
        ` ${t('dash.export.names')}`,
      ),
    ),
    el('p', {}, el('button', { type: 'button', id: 'export-button', disabled: busy, onClick: exportChosen }, t('dash.export.button'))),
    el('p', { class: 'muted', id: 'export-note', 'aria-live': 'polite' }, note),
  );
}
