import { defineConfig, type WxtViteConfig } from 'wxt';

type VitePlugin = NonNullable<WxtViteConfig['plugins']>[number];

/**
 * Two library idioms that addons.mozilla.org's linter (`web-ext lint`) flags in the worker bundle,
 * rewritten to what they mean here: engine.io-client's `Function("return this")()` fallback for
 * `globalThis` (every browser we support has `globalThis`), and supabase-js's optional dynamic
 * import of `@opentelemetry/api` (never installed in the extension: the import always failed and
 * fell back to null). `tests/e2e/bundle.test.ts` lints the Firefox build, so a library upgrade
 * that changes either shape shows there.
 */
const lintClean: VitePlugin = {
  name: 'switchboard:lint-clean',
  transform(code, id) {
    if (id.includes('engine.io-client') && code.includes('Function("return this")()')) return code.replace('Function("return this")()', 'globalThis');
    if (id.includes('@supabase/supabase-js') && code.includes('OTEL_PKG)')) return code.replace(/import\([^()]*OTEL_PKG\)/, 'Promise.resolve(null)');
    return null;
  },
};

// See https://wxt.dev/api/config.html
export default defineConfig({
  // Where builds and store packages go (a test packs into a directory of its own).
  outDir: process.env.WXT_OUT_DIR || '.output',
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  // Launching a browser from `wxt` as root crashes; npm start and the tests launch Chromium themselves.
  webExt: { disabled: true },
  vite: () => ({
    plugins: [lintClean],
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
  // The sources addons.mozilla.org reviews: what builds the extension, nothing of the server's.
  zip: {
    excludeSources: [
      'server/**',
      'tests/**',
      'bench/**',
      'bench-results/**',
      'dist/**',
      'docs/**',
      'supabase/**',
      '.switchboard/**',
      '.env',
      '.env.*',
      'test-results/**',
    ],
  },
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
    // IT can set (and lock) the workspace URL by policy: docs/managed-policy.md.
    ...(browser === 'firefox' ? {} : { storage: { managed_schema: 'managed_schema.json' } }),
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
    browser_specific_settings:
      browser === 'firefox'
        ? {
            gecko: {
              id: 'switchboard@switchboard.dev',
              // What leaves the browser (to the organisation's own Switchboard server and Supabase):
              // the agent's sign-in, customers' messages, and the numbers of customers agents open.
              data_collection_permissions: { required: ['authenticationInfo', 'personalCommunications', 'personallyIdentifyingInfo'] },
            },
          }
        : undefined,
  }),
});
