import { describe, expect, it } from 'vitest';
import { createI18n, direction, LANGUAGES, pickLanguage, type Language } from '../../lib/i18n';
import { dates } from '../../lib/i18n/format';
import { NAMESPACES, resources } from '../../lib/i18n/resources';

// i18next's plural keys: `files_one`, `files_other`, … one per CLDR category of the language.
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Strings = Record<string, unknown>;
function flatten(strings: Strings, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(strings)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    if (typeof value === 'object' && value) for (const [k, v] of flatten(value as Strings, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

/** The strings of one language as `base key → { category → text }` (a plain string has category ''). */
function byBase(language: Language, ns: (typeof NAMESPACES)[number]) {
  const bases = new Map<string, Map<string, string>>();
  for (const [key, text] of flatten(resources[language][ns])) {
    const m = PLURAL.exec(key);
    const base = m ? key.slice(0, -m[0].length) : key;
    if (!bases.has(base)) bases.set(base, new Map());
    bases.get(base)!.set(m ? m[1]! : '', text);
  }
  return bases;
}

describe('every shipped language is complete', () => {
  for (const language of LANGUAGES.filter((l) => l !== 'en')) {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const ns of NAMESPACES) {
      it(`${language}/${ns}: every English string is translated, with the language's plural forms and the same placeholders`, () => {
        const english = byBase('en', ns);
        const translated = byBase(language, ns);
        const missing = [...english.keys()].filter((k) => !translated.has(k));
        const unknown = [...translated.keys()].filter((k) => !english.has(k));
        expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
        for (const [base, forms] of english) {
          const theirs = translated.get(base)!;
          const plural = !forms.has('');
          if (plural) {
            // Each category the language's rules can pick must exist (Arabic: six).
            expect(
              [...theirs.keys()].filter((c) => c !== ''),
              `${base} in ${language}`,
            ).toEqual(expect.arrayContaining(categories));
          } else expect(theirs.has(''), `${base} in ${language} is not plural in English`).toBe(true);
          const wanted = placeholders(forms.get('other') ?? forms.get('')!).filter((p) => p !== 'count');
          for (const [category, text] of theirs) {
            expect(text.trim(), `${base}_${category} in ${language} is empty`).not.toBe('');
            expect(
              placeholders(text).filter((p) => p !== 'count'),
              `${base}_${category} in ${language}`,
            ).toEqual(wanted);
          }
        }
      });
    }
  }

  it('English has the plural forms English needs (one and other) for every plural string', () => {
    for (const ns of NAMESPACES)
      for (const [base, forms] of byBase('en', ns)) if (!forms.has('')) expect([...forms.keys()].sort(), base).toEqual(['one', 'other']);
  });
});

describe('choosing the language', () => {
  it('follows the agent’s choice, else the browser’s first language we ship, else English', () => {
    expect(pickLanguage('ar', ['es-ES'])).toBe('ar');
    expect(pickLanguage('auto', ['fr-FR', 'es-MX', 'en'])).toBe('es');
    expect(pickLanguage('auto', ['pt-PT'])).toBe('pt-BR');
    expect(pickLanguage('auto', ['pt-BR'])).toBe('pt-BR');
    expect(pickLanguage(undefined, ['de-DE', 'fr'])).toBe('en');
  });

  it('lays Arabic out right to left and the others left to right', () => {
    expect(LANGUAGES.map((l) => [l, direction(l)])).toEqual([
      ['en', 'ltr'],
      ['es', 'ltr'],
      ['pt-BR', 'ltr'],
      ['ar', 'rtl'],
    ]);
  });
});

describe('dates in the agent’s language', () => {
  const now = new Date(2026, 2, 18, 12, 0); // a Wednesday
  it('says today and tomorrow in the language', () => {
    expect(dates('en').whenLabel(new Date(2026, 2, 18, 19, 0).toISOString(), now)).toMatch(/^today /);
    expect(dates('es').whenLabel(new Date(2026, 2, 19, 9, 0).toISOString(), now)).toMatch(/^mañana /);
    expect(dates('pt-BR').whenLabel(new Date(2026, 2, 19, 9, 0).toISOString(), now)).toMatch(/^amanhã /);
  });
  it('names weekdays and months in the language', () => {
    expect(dates('es').shortTime(new Date(2026, 2, 16, 9, 0).toISOString(), now)).toMatch(/^lun/);
    expect(dates('pt-BR').shortTime(new Date(2026, 0, 5, 9, 0).toISOString(), now)).toMatch(/jan/);
  });
});

describe('plurals through i18next', () => {
  it('picks each language’s plural form for a count', () => {
    const say = (language: Language, count: number) => createI18n(language).getFixedT(language, 'inbox')('thread.newMessages', { count });
    expect(say('en', 1)).toBe('1 new message');
    expect(say('es', 3)).toBe('3 mensajes nuevos');
    expect(say('pt-BR', 1)).toBe('1 mensagem nova');
    expect(say('ar', 2)).toBe('رسالتان جديدتان');
    expect(say('ar', 5)).toBe('5 رسائل جديدة');
    expect(say('ar', 11)).toBe('11 رسالة جديدة');
  });
});
