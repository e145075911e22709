import { describe, expect, it } from 'vitest';
import { overallFrom } from '@/lib/connection/status';

describe('overall connection status', () => {
  it('is live with both channels up, degraded with one, offline with none', () => {
    expect(overallFrom(true, 'connected', 'connected')).toBe('live');
    expect(overallFrom(true, 'connected', 'disconnected')).toBe('degraded');
    expect(overallFrom(true, 'disconnected', 'connected')).toBe('degraded');
    expect(overallFrom(true, 'disconnected', 'disconnected')).toBe('offline');
    expect(overallFrom(true, 'disconnected', 'disconnected', true)).toBe('polling');
    expect(overallFrom(true, 'connecting', 'disconnected')).toBe('connecting');
    expect(overallFrom(false, 'connected', 'connected')).toBe('signed-out');
  });
});
