/** The Chromium extension id of unpacked builds, pinned by the manifest `key` (see wxt.config.ts). */
export const CHROMIUM_EXTENSION_ID = 'gnjbafhekanhleidagfdegcaanbebfpa';
