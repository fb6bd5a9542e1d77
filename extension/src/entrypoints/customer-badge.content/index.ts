import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendRequest } from '../../messages/client.ts';
import { unpackLookup } from '../../messages/protocol.ts';
import { createFreshnessClient } from '../../content/freshness-client.ts';
import { createScanner, watchPage } from '../../content/scanner.tsx';
import css from './style.css?inline';

/**
 * Badges on Shopify admin customer and order pages. Matches every admin page of a store, not just customers and
 * orders: the admin is a single-page app, so a merchant who lands on the home page and clicks "Customers" never
 * reloads, and a script matched only on `/customers*` would never run. Elsewhere it only watches the URL.
 */
export default defineContentScript({
  matches: ['https://admin.shopify.com/store/*', 'https://*.myshopify.com/admin/*'],
  runAt: 'document_idle',
  main(ctx) {
    try {
      // Created first: its first poll asks for changes since before any badge looked anything up.
      const freshness = createFreshnessClient({
        poll: (storeHandle, sinceMs) => sendRequest({ type: 'fresh.poll', storeHandle, sinceMs }),
        shownStore: () => scanner.shownStore(),
        visible: () => document.visibilityState === 'visible',
        onChanged: (storeHandle, ids) => scanner.update(storeHandle, ids),
        nowMs: () => Date.now(),
        setTimeout: (fn, ms) => ctx.setTimeout(fn, ms),
        clearTimeout: (handle) => clearTimeout(handle as number),
        onError: (error) => console.debug('[CLV Lens]', error),
      });
      const scanner = createScanner({
        doc: document,
        href: () => location.href,
        nowMs: () => Date.now(),
        css,
        settings: () => sendRequest({ type: 'settings.get' }),
        // Packed: the customers come as one JSON text (one string crosses the message boundary, not 50 objects).
        lookupCustomers: (storeHandle, customerIds) => sendRequest({ type: 'customers.lookup', storeHandle, customerIds, packed: true }).then(unpackLookup),
        lookupOrders: (storeHandle, orderIds) => sendRequest({ type: 'orders.lookup', storeHandle, orderIds, packed: true }).then(unpackLookup),
        // Live through the app into this page's memory only: finds the 2024 order list's plain-text customer cell.
        customerNames: (storeHandle, customerIds) => sendRequest({ type: 'customers.names', storeHandle, customerIds }).then((r) => r.names),
        onError: (error) => console.debug('[CLV Lens]', error),
      });
      const watcher = watchPage(
        document,
        () => scanner.scan(),
        () => scanner.roots(),
      );
      void scanner.scan().then(() => freshness.start());
      // WXT's location event can fire on the Navigation API's `navigate`, before the URL changes (the scan restarts
      // when it sees the URL change); `currententrychange` and `popstate` come after it.
      ctx.addEventListener(window, 'wxt:locationchange', () => watcher.trigger());
      ctx.addEventListener(window, 'popstate', () => watcher.trigger());
      const navigation = (window as { navigation?: EventTarget }).navigation;
      const onEntryChange = () => watcher.trigger();
      if (navigation) navigation.addEventListener('currententrychange', onEntryChange);
      // After a while in another tab the cache may have been synced and the settings changed: re-read both when the
      // merchant comes back, and keep the badges fresh only while the page is visible.
      ctx.addEventListener(document, 'visibilitychange', () => {
        if (document.visibilityState === 'visible') {
          void scanner.refresh();
          freshness.start();
        } else {
          freshness.stop();
        }
      });
      ctx.onInvalidated(() => {
        freshness.stop();
        if (navigation) navigation.removeEventListener('currententrychange', onEntryChange);
        watcher.disconnect();
        scanner.destroy();
      });
    } catch (error) {
      console.debug('[CLV Lens]', error);
    }
  },
});
