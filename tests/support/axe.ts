import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * Rules axe-core leaves out by default (tagged experimental) that this project holds itself to:
 * a control's accessible name contains its visible text, so speech users can say what they see
 * (the quoted-reply button, issue 31).
 */
export const EXTRA_RULES = ['label-content-name-mismatch'] as const;

const builder = (page: Page, include?: string) => {
  const axe = new AxeBuilder({ page }).options({ rules: Object.fromEntries(EXTRA_RULES.map((id) => [id, { enabled: true }])) });
  return include ? axe.include(include) : axe;
};

const lines = (what: string, violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']) =>
  violations.flatMap((v) => v.nodes.map((n) => `${what}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`));

/** axe-core's serious and critical violations on the page, as lines a reader can act on. */
export async function seriousViolations(page: Page, what: string): Promise<string[]> {
  const { violations } = await builder(page).analyze();
  return lines(
    what,
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
  );
}

/** Every axe-core violation, of any impact, inside one part of the page (a CSS selector). */
export async function allViolationsIn(page: Page, selector: string, what: string): Promise<string[]> {
  const { violations } = await builder(page, selector).analyze();
  return lines(what, violations);
}
