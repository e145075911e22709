/**
 * Limits both ends of a port agree on, in a module of their own: the content script and the side
 * panel's first paint need them without the schemas (zod), and the schemas without the protocol's
 * types (no cycle).
 */

/** The most numbers one CRM page reports over its port (its content script sends the first ones found, never more). */
export const OVERLAY_WATCH_MAX = 5000;

/** The list rows a side panel shows (`PanelRequest`), as many as it may report. */
export const PANEL_VISIBLE_MAX = 500;
