import type { z } from 'zod';

/** A zod error as one readable line for a 400 answer: "From: must be …; NumMedia: …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
