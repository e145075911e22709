/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly WXT_SERVER_URL?: string;
  readonly WXT_SUPABASE_URL?: string;
  readonly WXT_SUPABASE_ANON_KEY?: string;
  /** `on`: a development build, whose overlay also runs on the local stack's demo CRM page (npm start, tests). */
  readonly WXT_DEMO_SITE?: string;
}
