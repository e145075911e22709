import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isDatabaseUnavailable } from './db/unavailable';
import { redactUrl } from './logger';

/**
 * Every error the server answers with, in one place: domain errors thrown by the data access of
 * each feature, and `HttpError`, what the API answers (`{ error: code, message }`). `guard` turns
 * the first into the second; the app's error handler answers anything else with a bare 500.
 */

/** The row does not exist, or belongs to another organisation (indistinguishable on purpose). */
export class NotFoundError extends Error {}
/** A request that clashes with what is stored (an id already used for something else, messages the agent has not seen). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly code = 'conflict',
  ) {
    super(message);
  }
}
/** A well-formed request the data refuses (an assignee from another organisation…). */
export class UnprocessableError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
/** Free-form text outside WhatsApp's 24-hour window. */
export class WindowClosedError extends Error {
  constructor(readonly closesAt: string | null) {
    super(
      closesAt
        ? `The 24-hour window to reply freely closed at ${closesAt}: send an approved template instead.`
        : 'This customer has not written yet: start the conversation with an approved template.',
    );
  }
}

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
    if (err instanceof ConflictError) throw new HttpError(409, err.code, err.message);
    if (err instanceof WindowClosedError) throw new HttpError(422, 'window_closed', err.message);
    if (err instanceof UnprocessableError) throw new HttpError(422, err.code, err.message);
    throw err;
  }
}

/**
 * The answer to a request no route matches: Fastify's own, less its "Route … not found" log line,
 * which names the raw URL outside the request serializer (a link's signature, a ticket or an OAuth
 * state sent with a wrong method or path would reach the log). The request itself is logged,
 * redacted, like any.
 */
export function answerNotFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({ message: `Route ${req.method}:${redactUrl(req.url)} not found`, error: 'Not Found', statusCode: 404 });
}

/**
 * The API's error handler: `HttpError` as `{ error, message }` with its status; the database away
 * as 503 with Retry-After (Twilio and the extension retry; nothing was half-written, every write
 * is one transaction); Fastify's own 4xx as they are; anything else a bare 500, logged, never
 * leaking internals.
 */
export function answerErrors(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
  if (isDatabaseUnavailable(err)) {
    req.log.warn({ err: err.message }, 'database unavailable');
    return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: 'The database is unavailable; try again shortly' });
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.code(status).send({ error: (err as { code?: string }).code ?? 'bad_request', message: err.message });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({ error: 'internal', message: 'Internal server error' });
}
