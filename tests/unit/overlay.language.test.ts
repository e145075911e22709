import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createI18n, type Language } from '@/lib/i18n';
import { createBadge, renderBadge } from '@/lib/overlay/badge-element';
import type { BadgeInfo } from '@/lib/overlay/badge-info';
import { badgeLanguage, followBadgeLanguage, type BadgeLanguage } from '@/lib/overlay/badge-language';
import { languageItem } from '@/lib/storage/items';

afterEach(() => {
  vi.restoreAllMocks();
  fakeBrowser.reset();
});

const MARIA: BadgeInfo = {
  conversationId: 'c1',
  name: 'Maria',
  unread: 2,
  typing: ['Ana', 'Bo'],
  viewing: [],
  lastMessage: 'Hola',
  assignee: { me: false, name: 'Ana' },
};

/**
 * A badge drawn in a language. Its shadow root is closed (the page never reaches it); the test
 * keeps the root `attachShadow` returns, as only the content script could.
 */
function drawn(language: Language, info: BadgeInfo) {
  const attach = HTMLElement.prototype.attachShadow;
  let root: ShadowRoot | null = null;
  const spy = vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (this: HTMLElement, init) {
    root = attach.call(this, init);
    return root;
  });
  const host = createBadge(document, '+14155550134', () => {});
  spy.mockRestore();
  renderBadge(host, info, badgeLanguage(createI18n(language), language));
  const inside = root! as ShadowRoot;
  return {
    host,
    pill: inside.querySelector('.pill')!,
    tip: inside.querySelector('.tip')!,
    line: (name: string) => inside.querySelector(`.tip .${name}`)!.getAttribute('data-text'),
  };
}

describe('the CRM badge in the agent’s language', () => {
  it('mirrors for Arabic inside its closed root, in Arabic, and tells the page nothing new', () => {
    const { host, pill, tip, line } = drawn('ar', MARIA);
    expect([pill.getAttribute('dir'), tip.getAttribute('dir'), pill.getAttribute('lang')]).toEqual(['rtl', 'rtl', 'ar']);
    expect(line('meta')).toBe('مسندة إلى Ana');
    expect(pill.getAttribute('aria-label')).toContain('رسالتان غير مقروءتين'); // Arabic's dual
    // The host carries only the documented contract: no dir, no lang.
    expect(host.getAttributeNames().sort()).toEqual(['data-phone', 'data-switchboard-badge', 'data-typing', 'data-unread']);
  });

  it('names several colleagues typing with Spanish plural and list words', () => {
    const { pill, line } = drawn('es', MARIA);
    expect(pill.getAttribute('dir')).toBe('ltr');
    expect(line('activity')).toBe('Ana y Bo están escribiendo una respuesta');
    expect(drawn('es', { ...MARIA, typing: ['Ana'] }).line('activity')).toBe('Ana está escribiendo una respuesta');
    expect(drawn('es', { ...MARIA, conversationId: null }).line('name')).toBe('Iniciar conversación de WhatsApp');
  });

  it('keeps the English the page tests read', () => {
    const { tip } = drawn('en', { ...MARIA, typing: ['Agent 1'], assignee: null });
    expect(tip.getAttribute('data-text')).toBe('Maria: Hola\nUnassigned\nAgent 1 is typing a reply');
  });
});

describe('following the agent’s language on a CRM page', () => {
  it('reads the agent’s choice, then follows it: strings, plural forms and direction', async () => {
    await languageItem.setValue('es');
    const seen: BadgeLanguage[] = [];
    const stop = followBadgeLanguage((l) => seen.push(l));
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]!.dir).toBe('ltr');
    expect(seen[0]!.t('badge.start')).toBe('Iniciar conversación de WhatsApp');
    await languageItem.setValue('ar');
    await expect.poll(() => seen.at(-1)?.language).toBe('ar');
    expect(seen.at(-1)!.dir).toBe('rtl');
    expect(seen.at(-1)!.t('badge.owner.none')).toBe('غير مسندة');
    stop();
    await languageItem.setValue('en');
    await languageItem.getValue();
    expect(seen.at(-1)!.language).toBe('ar'); // stopped: the change to English is not followed
  });
});
