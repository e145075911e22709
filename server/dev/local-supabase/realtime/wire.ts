/**
 * Phoenix channel framing as realtime-js speaks it (docs/supabase-wire-protocol.md):
 * vsn 2.0.0 text frames are `[join_ref, ref, topic, event, payload]`, client broadcasts arrive as
 * binary kind 3; vsn 1.0.0 frames are JSON objects.
 */
export type Vsn = '1.0.0' | '2.0.0';

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

export class FrameError extends Error {}

const USER_BROADCAST_PUSH = 3;

export function decodeFrame(data: Buffer, isBinary: boolean, vsn: Vsn): Frame {
  if (isBinary) return decodeBinaryPush(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new FrameError('frame is not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new FrameError('expected [join_ref, ref, topic, event, payload]');
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    return checked({ joinRef: optString(joinRef), ref: optString(ref), topic, event, payload });
  }
  const o = parsed as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new FrameError('expected a JSON object');
  return checked({ joinRef: optString(o.join_ref), ref: optString(o.ref), topic: o.topic, event: o.event, payload: o.payload });
}

function optString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new FrameError('refs must be strings');
}

function checked(f: { joinRef: string | null; ref: string | null; topic: unknown; event: unknown; payload: unknown }): Frame {
  if (typeof f.topic !== 'string' || typeof f.event !== 'string') throw new FrameError('topic and event must be strings');
  if (!f.payload || typeof f.payload !== 'object' || Array.isArray(f.payload)) throw new FrameError('payload must be an object');
  return f as Frame;
}

/** Binary kind 3: a client broadcast. Decoded into an ordinary `broadcast` frame. */
function decodeBinaryPush(buf: Buffer): Frame {
  if (buf.length < 7 || buf[0] !== USER_BROADCAST_PUSH) throw new FrameError('unsupported binary frame');
  const lens = [buf[1]!, buf[2]!, buf[3]!, buf[4]!, buf[5]!];
  const encoding = buf[6]!;
  let offset = 7;
  const take = (n: number) => {
    if (offset + n > buf.length) throw new FrameError('truncated binary frame');
    const s = buf.subarray(offset, offset + n).toString('utf8');
    offset += n;
    return s;
  };
  const [joinRef, ref, topic, event, metadata] = lens.map(take) as [string, string, string, string, string];
  const rest = buf.subarray(offset);
  let payload: unknown;
  if (encoding === 1) {
    try {
      payload = rest.length ? JSON.parse(rest.toString('utf8')) : {};
    } catch {
      throw new FrameError('broadcast payload is not JSON');
    }
  } else payload = { binary: rest.toString('base64') };
  const meta = metadata ? (JSON.parse(metadata) as Record<string, unknown>) : undefined;
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: 'broadcast',
    payload: { type: 'broadcast', event, payload, ...(meta ? { meta } : {}) },
  };
}

/**
 * A frame whose payload is already JSON: a change going to many subscribers has its row encoded
 * once, not once per subscriber. Gives the same text as `encodeFrame` would for the parsed payload.
 */
export function encodeFrameWithPayload(f: Omit<Frame, 'payload'>, payloadJson: string, vsn: Vsn): string {
  if (vsn === '2.0.0') return `[${JSON.stringify(f.joinRef)},${JSON.stringify(f.ref)},${JSON.stringify(f.topic)},${JSON.stringify(f.event)},${payloadJson}]`;
  const head = `{"topic":${JSON.stringify(f.topic)},"event":${JSON.stringify(f.event)},"payload":${payloadJson},"ref":${JSON.stringify(f.ref)}`;
  return f.joinRef !== null ? `${head},"join_ref":${JSON.stringify(f.joinRef)}}` : `${head}}`;
}

export function encodeFrame(f: Frame, vsn: Vsn): string {
  if (vsn === '2.0.0') return JSON.stringify([f.joinRef, f.ref, f.topic, f.event, f.payload]);
  const o: Record<string, unknown> = { topic: f.topic, event: f.event, payload: f.payload, ref: f.ref };
  if (f.joinRef !== null) o.join_ref = f.joinRef;
  return JSON.stringify(o);
}
