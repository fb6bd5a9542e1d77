// @vitest-environment happy-dom
import { h, render } from 'preact';
import { describe, expect, it } from 'vitest';
import { ExportCard } from './export.ts';
import type { FeedbackCardDeps } from './feedback.ts';

/** The card rendered into a fresh element of the page. */
function mount(node: Parameters<typeof render>[0]): HTMLElement {
  const box = document.createElement('div');
  document.body.append(box);
  render(node, box);
  return box.firstElementChild as HTMLElement;
}

describe('ExportCard', () => {
  it('asks for the chosen tier or segment in the admin’s language and saves the file', async () => {
    const asked: string[] = [];
    const saved: string[] = [];
    const card = mount(
      h(ExportCard, {
        deps: {
          locale: 'ko',
          request: async () => ({ status: 404, body: { error: { code: 'not-found', message: 'no' } } }),
          async download(path) {
            asked.push(path);
            return { status: 200, blob: new Blob(['\uFEFF고객 ID\r\n']), body: null };
          },
          save: (_blob: Blob, name: string) => saved.push(name),
        } satisfies FeedbackCardDeps,
      }),
    );
    const select = card.querySelector<HTMLSelectElement>('#export-choice')!;
    select.value = 'segment:AT_RISK';
    card.querySelector<HTMLInputElement>('#export-names')!.checked = false;
    card.querySelector<HTMLButtonElement>('#export-button')!.click();
    await expect.poll(() => saved).toEqual(['clvlens-segment-at-risk.csv']);
    expect(asked).toEqual(['/app/api/export?by=segment&value=AT_RISK&names=0&locale=ko']);
    expect(card.querySelector('#export-note')!.textContent).toBe('clvlens-segment-at-risk.csv 파일을 내려받았습니다.');
  });
});
