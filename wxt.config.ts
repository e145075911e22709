import { defineConfig } from 'wxt';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  // Launching a browser from `wxt` as root crashes; npm start and the tests launch Chromium themselves.
  webExt: { disabled: true },
  vite: () => ({
    build: {
      // The background bundles supabase-js and socket.io-client; big, but loaded once from disk.
      chunkSizeWarningLimit: 1024,
      sourcemap: process.env.SOURCEMAP === '1',
      rollupOptions: {
        onwarn(warning, warn) {
          // zod ships comments Rollup cannot place; harmless noise in every build.
          if (warning.code === 'INVALID_ANNOTATION') return;
          warn(warning);
        },
      },
    },
  }),
  manifest: ({ browser }) => ({
    name: 'Switchboard',
    description: 'Your WhatsApp conversations, live, inside your CRM.',
    // 116: WebSocket traffic keeps the service worker alive.
    minimum_chrome_version: '116',
    // offscreen: the notification sound (Chrome's service worker cannot play audio).
    permissions: ['storage', 'alarms', 'notifications', 'idle', 'scripting', ...(browser === 'firefox' ? [] : ['sidePanel', 'offscreen'])],
    // Sites beyond the built-in CRMs: asked for one origin at a time, when the agent enables it
    // (Firefox's MV2 manifest lists them under optional_permissions).
    ...(browser === 'firefox' ? { optional_permissions: ['https://*/*', 'http://*/*'] } : { optional_host_permissions: ['https://*/*', 'http://*/*'] }),
    action: { default_title: 'Switchboard' },
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
    browser_specific_settings: browser === 'firefox' ? { gecko: { id: 'switchboard@switchboard.dev' } } : undefined,
  }),
});
