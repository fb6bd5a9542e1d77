import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// Host permissions: the app's API origin. Loopback origins are granted at install so the local demo and the tests
// work without a permission prompt; any other app origin is requested at connect time (optional_host_permissions),
// from the options page's Connect click (a user gesture), so the extension asks only for the app the merchant uses.
// A store build (CLVLENS_STORE_BUILD=1, `pnpm build:store`) has no loopback permissions: those are for the demo and tests.
// Plain http is accepted for loopback app URLs only (normalizeAppUrl), so no http pattern is ever requested.
// Public half of the key that pins the Chromium extension id to gnjbafhekanhleidagfdegcaanbebfpa for unpacked
// builds, so the app's allowed extension origin (`chrome-extension://<id>`, its `extensionOrigins`) is known in
// advance. Only the public key is needed to load unpacked; a store build gets its id from the store.
const CHROME_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyLDmydSeZ8402yceOEEW8a3xPhKiWGyLnozHCzbLNaKo90bxxJL92iuTxEOrvgfzDrsuEBxMMG6JZmQfZNlgniTq/iJe8cjohOSudf88RBfIygv+YO0w0wYuzhQxIOMuyOS73UQmh1fr1TGB/aLr8gYMnxVhfZvYOrFJ41O9KOj63gW81c2Kf7vBGc2YyuR0nLzCX0jqX56KfCCos1nYDsitngRmSZTby/BMg6k8THCO9VKVL3AQAsj9Rj2UgSUJN/JGnEReoRYPc5kj9/8wW/9lYL0nx1G+vI9lleybHi1iiEWSoIJivf1w1T3Tot7OuzjvJIPSwm4yOjUs3t61lQIDAQAB';

/** Read when the config and the manifest are built (not once at import), so one process can build both kinds. */
const storeBuild = (): boolean => process.env['CLVLENS_STORE_BUILD'] === '1';

export default defineConfig({
  srcDir: 'src',
  // Store packages go to their own folder, so they never replace the dev builds that the tests load.
  outDir: storeBuild() ? '.output/store' : '.output',
  imports: false,
  manifest: ({ browser }) => ({
    name: 'CLV Lens',
    description: 'Customer lifetime value, repeat purchase and churn-risk badges in your Shopify admin.',
    permissions: ['storage', 'alarms'],
    host_permissions: storeBuild() ? [] : ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'clvlens@clvlens.example',
              // data_collection_permissions needs Firefox 140 (desktop) and 142 (Android).
              strict_min_version: '140.0',
              // Nothing about the merchant's customers leaves the browser except to the merchant's own app.
              data_collection_permissions: { required: ['none'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : // The Chrome Web Store rejects a manifest with a `key`: the store assigns the id.
        storeBuild()
        ? {}
        : { key: CHROME_PUBLIC_KEY }),
  }),
  vite: () => ({ plugins: [preact()] }),
  zip: {
    // AMO's source package must rebuild the add-on: the extension imports the `core` and `core/ui` workspace packages, and the
    // install needs the root workspace files and lockfile. Instructions: store/reviewer-notes.md (in the zip too).
    sourcesRoot: '..',
    includeSources: [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'tsconfig.base.json',
      'core/package.json',
      'core/tsconfig.json',
      'core/src/**',
      // The popup's chart is the shared chart component (`@clvlens/ui`), bundled into the add-on.
      'core/ui/package.json',
      'core/ui/tsconfig.json',
      'core/ui/src/**',
      'extension/**',
    ],
    // Drawn by scripts/make-icons.ts for the listing pages; not part of the package.
    excludeSources: ['extension/store/icon-512.png'],
  },
});
