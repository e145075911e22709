/**
 * The bench runs thousands of agents from one address (loopback), which the per-address limits
 * exist to stop: its stacks lift them. Everything else stays as in production.
 */
export const BENCH_LIMITS = { HANDSHAKES_PER_IP: '1000000', CONNECTIONS_PER_IP: '1000000' } as const;
