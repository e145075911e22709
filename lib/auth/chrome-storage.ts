import { browser } from 'wxt/browser';

/**
 * supabase-js auth storage over `browser.storage.local`. A service worker has no localStorage;
 * values must stay strings (supabase-js#570).
 */
export const chromeStorageAdapter = {
  getItem: async (key: string): Promise<string | null> => {
    const value = (await browser.storage.local.get(key))[key];
    return typeof value === 'string' ? value : null;
  },
  setItem: async (key: string, value: string): Promise<void> => {
    await browser.storage.local.set({ [key]: value });
  },
  removeItem: async (key: string): Promise<void> => {
    await browser.storage.local.remove(key);
  },
};

export const AUTH_STORAGE_KEY = 'sb-switchboard-auth-token';
