import type { TFunction } from 'i18next';
import { createI18n } from '../i18n';

/**
 * Failures a page explains in the agent's language. The background throws a `Failure`: its
 * message is the English sentence (logs, `Result.error`), its reason travels in `Result.reason`
 * and the page says it with `describeFailure` in its own language (strings: options `errors.*`).
 * Any other error (Supabase's or a server's own words) reaches the page as its text.
 */
export type WorkspaceUrlProblem = 'empty' | 'notUrl' | 'notHttps' | 'credentials' | 'queryOrHash';

export type FailureReason =
  | { code: 'workspaceUrl'; problem: WorkspaceUrlProblem; text: string }
  | { code: 'unreachable'; url: string }
  | { code: 'notAnswering'; url: string; status: number }
  | { code: 'notWorkspace'; url: string }
  | { code: 'lockedWorkspace'; url: string }
  | { code: 'updateRequired'; minimum: string; current: string }
  | { code: 'notAnAgent' };

/** The sentence for a failure, in the language of `t`. */
export function describeFailure(t: TFunction<'options'>, reason: FailureReason): string {
  switch (reason.code) {
    case 'workspaceUrl':
      return t(`errors.workspaceUrl.${reason.problem}`, { text: reason.text });
    case 'unreachable':
    case 'notWorkspace':
    case 'lockedWorkspace':
      return t(`errors.${reason.code}`, { url: reason.url });
    case 'notAnswering':
      return t('errors.notAnswering', { url: reason.url, status: reason.status });
    case 'updateRequired':
      return t('errors.updateRequired', { minimum: reason.minimum, current: reason.current });
    case 'notAnAgent':
      return t('errors.notAnAgent');
  }
}

let english: TFunction<'options'> | undefined;

export class Failure extends Error {
  constructor(
    readonly reason: FailureReason,
    options?: ErrorOptions,
  ) {
    english ??= createI18n('en').getFixedT('en', 'options');
    super(describeFailure(english, reason), options);
  }
}
