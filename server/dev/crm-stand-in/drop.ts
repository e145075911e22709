import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A crash mid-call, as the caller sees it: the write was made, and the connection is dropped
 * before the answer, while `state.dropAfterWrite` is above zero. True when it dropped.
 */
export function dropAfterWrite(state: { dropAfterWrite: number }, req: FastifyRequest, reply: FastifyReply): boolean {
  if (state.dropAfterWrite <= 0) return false;
  state.dropAfterWrite--;
  reply.hijack();
  req.raw.socket.destroy();
  return true;
}
