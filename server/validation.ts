import type { z } from 'zod';
import { ConflictError, NotFoundError, UnprocessableError, WindowClosedError } from './inbox/repository';

/** A zod error as one readable line for a 400 answer: "From: must be …; NumMedia: …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** An error the API answers with as `{ error: code, message }` and this status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The input, parsed, or a 400 that says what is wrong with it. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new HttpError(400, 'bad_request', describeIssues(result.error));
  return result.data;
}

/** Runs a repository call, turning its domain errors into the API's answers. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof ConflictError) throw new HttpError(409, 'conflict', err.message);
    if (err instanceof WindowClosedError) throw new HttpError(422, 'window_closed', err.message);
    if (err instanceof UnprocessableError) throw new HttpError(422, err.code, err.message);
    throw err;
  }
}
