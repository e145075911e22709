import type { Language } from './languages';
import arAdmin from './locales/ar/admin.json';
import arCommon from './locales/ar/common.json';
import arInbox from './locales/ar/inbox.json';
import arOptions from './locales/ar/options.json';
import arOverlay from './locales/ar/overlay.json';
import arReports from './locales/ar/reports.json';
import arRouting from './locales/ar/routing.json';
import arThread from './locales/ar/thread.json';
import enAdmin from './locales/en/admin.json';
import enCommon from './locales/en/common.json';
import enInbox from './locales/en/inbox.json';
import enOptions from './locales/en/options.json';
import enOverlay from './locales/en/overlay.json';
import enReports from './locales/en/reports.json';
import enRouting from './locales/en/routing.json';
import enThread from './locales/en/thread.json';
import esAdmin from './locales/es/admin.json';
import esCommon from './locales/es/common.json';
import esInbox from './locales/es/inbox.json';
import esOptions from './locales/es/options.json';
import esOverlay from './locales/es/overlay.json';
import esReports from './locales/es/reports.json';
import esRouting from './locales/es/routing.json';
import esThread from './locales/es/thread.json';
import ptAdmin from './locales/pt-BR/admin.json';
import ptCommon from './locales/pt-BR/common.json';
import ptInbox from './locales/pt-BR/inbox.json';
import ptOptions from './locales/pt-BR/options.json';
import ptOverlay from './locales/pt-BR/overlay.json';
import ptReports from './locales/pt-BR/reports.json';
import ptRouting from './locales/pt-BR/routing.json';
import ptThread from './locales/pt-BR/thread.json';

/**
 * Every string the extension shows, by language and namespace (one namespace per part of the UI,
 * so the files stay readable). English is the source; its shape types `t()` (see i18next.d.ts).
 */
export const english = {
  common: enCommon,
  inbox: enInbox,
  thread: enThread,
  options: enOptions,
  admin: enAdmin,
  overlay: enOverlay,
  reports: enReports,
  routing: enRouting,
};

export type Namespace = keyof typeof english;
export const NAMESPACES = Object.keys(english) as Namespace[];

export const resources: Record<Language, Record<Namespace, Record<string, unknown>>> = {
  en: english,
  es: { common: esCommon, inbox: esInbox, thread: esThread, options: esOptions, admin: esAdmin, overlay: esOverlay, reports: esReports, routing: esRouting },
  'pt-BR': {
    common: ptCommon,
    inbox: ptInbox,
    thread: ptThread,
    options: ptOptions,
    admin: ptAdmin,
    overlay: ptOverlay,
    reports: ptReports,
    routing: ptRouting,
  },
  ar: { common: arCommon, inbox: arInbox, thread: arThread, options: arOptions, admin: arAdmin, overlay: arOverlay, reports: arReports, routing: arRouting },
};
