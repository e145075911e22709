/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly WXT_SERVER_URL?: string;
  readonly WXT_SUPABASE_URL?: string;
  readonly WXT_SUPABASE_ANON_KEY?: string;
}
