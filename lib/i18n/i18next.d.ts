import 'i18next';
import type { english } from './resources';

// `t('inbox:resolve')` is checked against the English strings: a key that does not exist is a
// type error, so a renamed or deleted string cannot leave a raw key on screen.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: typeof english;
  }
}
