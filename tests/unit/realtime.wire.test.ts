import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeFrameWithPayload, type Vsn } from '../../server/dev/local-supabase/realtime/wire';

describe('local Realtime frames with a payload encoded once', () => {
  const data = { schema: 'public', table: 'messages', type: 'INSERT', record: { id: 'm1', body: 'He said "hi" \u2028 and ]}' }, errors: null };
  const frames = [
    { joinRef: null, ref: null, topic: 'realtime:inbox-1', event: 'postgres_changes' },
    { joinRef: '3', ref: '7', topic: 'realtime:a "quoted" topic', event: 'postgres_changes' },
  ];
  for (const vsn of ['2.0.0', '1.0.0'] as Vsn[])
    for (const f of frames)
      it(`are the same text as whole-frame encoding (vsn ${vsn}, join ref ${f.joinRef})`, () => {
        const payload = { ids: [4, 9], data };
        const pre = encodeFrameWithPayload(f, `{"ids":[4,9],"data":${JSON.stringify(data)}}`, vsn);
        expect(pre).toBe(encodeFrame({ ...f, payload }, vsn));
        expect(decodeFrame(Buffer.from(pre), false, vsn)).toEqual({ ...f, payload });
      });
});
