/**
 * One CRM the overlay knows: where it runs and where its pages show phone numbers beyond what
 * every page has (visible text, `tel:` / `wa.me` links, phone inputs, open shadow roots and
 * same-origin iframes, which the scanner always covers).
 */
export interface CrmSite {
  id: string;
  name: string;
  /** Match patterns of the CRM's app pages (the content script's `matches`). */
  matches: string[];
  /** Elements that carry a number in an attribute rather than in their text. */
  phoneAttributes?: Array<{ selector: string; attribute: string }>;
  /** Parts of the page never scanned: the CRM's own editors, search boxes, code views. */
  ignore?: string[];
}

export const defineSite = (site: CrmSite): CrmSite => site;
