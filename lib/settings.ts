import type { CountryCode } from 'libphonenumber-js';

/** Where the extension connects. Development builds default to the local stack of `npm start`. */
export interface Settings {
  serverUrl: string;
  supabaseUrl: string;
  supabaseAnonKey: string;
}

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: import.meta.env.WXT_SERVER_URL ?? 'http://127.0.0.1:3000',
  supabaseUrl: import.meta.env.WXT_SUPABASE_URL ?? 'http://127.0.0.1:54321',
  supabaseAnonKey: import.meta.env.WXT_SUPABASE_ANON_KEY ?? '',
};

/** How the CRM overlay reads numbers written without a country code. */
export interface CrmSettings {
  /** ISO 3166 country used for national formats such as `(415) 555-0134` or `030 123456`. */
  defaultCountry: CountryCode;
}
