/**
 * Limits both ends of a port agree on, in a module of their own: the content script needs them
 * without the schemas (zod), and the schemas without the protocol's types (no cycle).
 */

/** The most numbers one CRM page reports over its port (its content script sends the first ones found, never more). */
export const OVERLAY_WATCH_MAX = 5000;
