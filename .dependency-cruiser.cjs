/**
 * The boundaries of the code, kept by a tool (`npm run lint`):
 * - no import cycles;
 * - the server's production code never reaches server/dev/ (the local stack, stand-ins, demo):
 *   only the local stack's wiring and the command-line tools import it; `server/stack.ts` names
 *   its types only (erased from the bundle);
 * - the extension (lib/, components/, entrypoints/) never imports the server;
 * - a content script (it runs in CRM pages, which are untrusted) never imports the background.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be understood, tested or loaded one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-server-not-dev',
      severity: 'error',
      comment: 'server/dev/ is the local stack only: production code receives its parts instead (server/dev/local-stack.ts).',
      from: { path: '^server/', pathNot: ['^server/dev/', '^server/cli/'] },
      to: { path: '^server/dev/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'extension-not-server',
      severity: 'error',
      comment: 'The extension shares lib/contract/ with the server, never the other way round.',
      from: { path: '^(lib|components|entrypoints)/' },
      to: { path: '^server/' },
    },
    {
      name: 'content-script-not-background',
      severity: 'error',
      comment: 'A content script runs in an untrusted page: it talks to the background by messages only.',
      from: { path: '^(entrypoints/[^/]+\\.content\\.ts|lib/overlay/)' },
      to: { path: '^(lib/background/|entrypoints/background)' },
    },
    {
      name: 'not-to-tests',
      severity: 'error',
      comment: 'Product code never imports tests or benchmarks.',
      from: { path: '^(server|lib|components|entrypoints)/' },
      to: { path: '^(tests|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.output|\\.wxt|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
