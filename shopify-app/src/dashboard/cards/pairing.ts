/// <reference lib="dom" />
import { useRef, useState } from 'preact/hooks';
import type { DashboardDeps } from '../client/deps.ts';
import { card, errorMessage, formatTime, h, t, type El } from '../client/ui.ts';

/** The one string the extension's options take: the app's address with the code, as a link (`<origin>/pair?code=`). */
export function pairingLink(appOrigin: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/pair?code=${encodeURIComponent(code)}`;
}

/** The pairing card: a one-time code for the extension, as a link to copy. */
export function Pairing({ deps }: { deps: DashboardDeps }): El {
  const [issued, setIssued] = useState<{ code: string; link: string; parts: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [note, setNote] = useState(t('dash.pairing.once'));
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const origin = deps.appOrigin ?? (typeof location === 'undefined' ? '' : location.origin);
  const copy = async () => {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(field.current?.value ?? '');
    } catch {
      // Clipboard access can be refused inside the admin's frame: the text stays selected for Ctrl+C.
    }
    setCopied(true);
  };
  const pair = async () => {
    setBusy(true);
    try {
      const res = await deps.request('/app/api/pairing-code', { method: 'POST' });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      const body = res.body as { code: string; expiresAtMs: number };
      setIssued({ code: body.code, link: pairingLink(origin, body.code), parts: t('dash.pairing.parts', { url: origin, code: body.code }) });
      setCopied(false);
      setNote(t('dash.pairing.before', { time: formatTime(body.expiresAtMs) }));
      deps.toast?.(t('dash.pairing.created'));
    } catch (error) {
      setNote(t('dash.pairing.failed', { message: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return card(
    'pairing',
    t('dash.pairing.title'),
    h('p', {}, t('dash.pairing.intro')),
    h('p', {}, h('output', { class: 'code', id: 'pairing-code', 'aria-live': 'polite' }, issued?.code ?? ''), ' '),
    h(
      'div',
      { id: 'pairing-link-box', hidden: issued === null },
      h('p', { id: 'pairing-link-label' }, t('dash.pairing.copyLabel')),
      h(
        'div',
        { class: 'copy-row' },
        h('input', {
          id: 'pairing-link',
          type: 'text',
          readonly: '',
          dir: 'ltr',
          'aria-labelledby': 'pairing-link-label',
          ref: field,
          value: issued?.link ?? '',
        }),
        h(
          'button',
          { type: 'button', id: 'pairing-copy', class: 'secondary', onClick: () => void copy() },
          copied ? t('dash.pairing.copied') : t('dash.pairing.copy'),
        ),
      ),
      h('p', { class: 'muted', id: 'pairing-parts', dir: 'auto' }, issued?.parts ?? ''),
    ),
    h('p', { class: 'muted', id: 'pairing-note' }, note),
    h('button', { type: 'button', id: 'pair', disabled: busy, onClick: () => void pair() }, t('dash.pairing.button')),
  );
}
