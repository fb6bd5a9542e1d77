/**
 * A shadow-root host for one badge or card: a custom-named element with an open shadow root and the content
 * script's CSS as a `<style>` text node. Equivalent to WXT's `createShadowRootUi`, but synchronous and without a CSS
 * fetch per instance, which matters with hundreds of rows on a list page.
 */
export interface ShadowMount {
  host: HTMLElement;
  container: HTMLElement;
}

export const BADGE_HOST_TAG = 'clvlens-badge';
export const CARD_HOST_TAG = 'clvlens-card';

const ISOLATED_EVENTS = [
  'keydown',
  'keyup',
  'keypress',
  'click',
  'auxclick',
  'dblclick',
  'mousedown',
  'mouseup',
  'pointerdown',
  'pointerup',
  'touchstart',
  'touchend',
];

export function createShadowHost(doc: Document, tag: string, css: string, display: 'inline' | 'block'): ShadowMount {
  const host = doc.createElement(tag);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  // `hidden` still hides the host (a badge waiting for its place): the page's own rules cannot reach it.
  style.textContent = `:host{all:initial !important;display:${display === 'inline' ? 'inline-block' : 'block'} !important;}:host([hidden]){display:none !important;}\n${css}`;
  const container = doc.createElement(display === 'inline' ? 'span' : 'div');
  container.className = 'root';
  shadow.append(style, container);
  // Keys typed in a badge must not trigger the admin's keyboard shortcuts, and a click on a badge must not open the
  // row: the admin re-dispatches a click anywhere in a list row to the row's primary link.
  for (const type of ISOLATED_EVENTS) host.addEventListener(type, (e) => e.stopPropagation());
  return { host, container };
}

export function isOwnHost(node: Node): boolean {
  return node instanceof Element && (node.localName === BADGE_HOST_TAG || node.localName === CARD_HOST_TAG);
}
