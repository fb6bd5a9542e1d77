import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// Host permissions: the app's API origin. Loopback origins are granted at install so the local demo and the tests
// work without a permission prompt; any other app origin is requested at connect time (optional_host_permissions),
// from the options page's Connect click (a user gesture), so the extension asks only for the app the merchant uses.
export default defineConfig({
  srcDir: 'src',
  imports: false,
  manifest: ({ browser }) => ({
    name: 'CLV Lens',
    description: 'Customer lifetime value, repeat purchase and churn-risk badges in your Shopify admin.',
    permissions: ['storage', 'alarms'],
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'clvlens@clvlens.example',
              strict_min_version: '128.0',
              // Nothing about the merchant's customers leaves the browser except to the merchant's own app.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
  vite: () => ({ plugins: [preact()] }),
});
