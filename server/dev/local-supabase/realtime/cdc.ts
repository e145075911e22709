import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Client } from 'pg';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { Logger } from '../../../logger';

/** One committed row change, in commit order, with values as PostgreSQL's text output. */
export interface RowChange {
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  commitTimestamp: string;
  columns: Array<{ name: string; typeOid: number }>;
  primaryKey: string[];
  /** New row (INSERT, UPDATE), text values. */
  record: Record<string, string | null> | null;
  /** Old row or its key (UPDATE, DELETE), text values. */
  oldRecord: Record<string, string | null> | null;
}

/**
 * pgoutput on a TEMPORARY slot created on the replication connection itself: PostgreSQL drops
 * it when that connection ends, so a stopped (or killed) server leaves no slot holding WAL.
 * Values are kept as text (no parsing), to be cast by PostgreSQL or converted like to_jsonb.
 */
class TemporarySlotPgoutput extends PgoutputPlugin {
  /** Called when the replication connection ends, however it ends. */
  onEnd: (err: Error) => void = () => {};

  override async start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    // A server restart can end the connection without failing the pending START_REPLICATION.
    client.once('end', () => this.onEnd(new Error('replication connection ended')));
    client.once('error', (err: Error) => this.onEnd(err));
    await client.query(`CREATE_REPLICATION_SLOT ${slotName} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
    return super.start(client, slotName, lastLsn);
  }
  override parse(buffer: Buffer) {
    const msg = super.parse(buffer);
    if (msg.tag === 'relation') for (const c of msg.columns) c.parser = (raw: unknown) => raw;
    return msg;
  }
}

/** The LSN one byte before `lsn` ("X/Y" in hex). */
export function previousLsn(lsn: string): string {
  const value = (BigInt(`0x${lsn.split('/')[0]}`) << 32n) + BigInt(`0x${lsn.split('/')[1]}`) - 1n;
  return value < 0n ? '0/0' : `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

export interface ChangeStreamOptions {
  connectionString: string;
  publication: string;
  log: Logger;
}

/**
 * Streams committed changes of the publication's tables. Reconnects with backoff (and a new
 * temporary slot) when PostgreSQL restarts; changes committed while it was down are not replayed
 * (clients catch up through the sync cursor, as with hosted Supabase Realtime).
 */
export class ChangeStream extends EventEmitter<{ change: [RowChange]; status: ['up' | 'down'] }> {
  private service: LogicalReplicationService | null = null;
  private stopped = false;
  private attempts = 0;
  private commitTime = '';
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  up = false;

  constructor(private readonly opts: ChangeStreamOptions) {
    super();
  }

  /** Resolves once replication has started (so changes committed after it are seen). */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.once('status', (s) => (s === 'up' ? resolve() : reject(new Error('replication did not start'))));
      this.connect();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const slot = `switchboard_rt_${randomBytes(6).toString('hex')}`;
    // Progress is reported once a second, not after every message: each report is a write to
    // PostgreSQL, and per message they were a good part of the server's CPU under load. The slot is
    // temporary (never resumed), so the reported position only lets PostgreSQL recycle WAL.
    const service = new LogicalReplicationService({ connectionString: this.opts.connectionString }, { acknowledge: { auto: false, timeoutSeconds: 1 } });
    this.service = service;
    service.on('start', () => {
      this.attempts = 0;
      this.up = true;
      this.opts.log.info({ slot }, 'logical replication started');
      this.emit('status', 'up');
    });
    // Answer keepalives that ask for a reply. A stopping PostgreSQL waits until the client reports
    // flushing exactly up to the end of WAL; acknowledge() reports lsn + 1, hence lsn - 1.
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      if (shouldRespond) void service.acknowledge(previousLsn(lsn)).catch(() => {});
    });
    service.on('data', (_lsn: string, msg: { tag: string } & Record<string, unknown>) => this.onMessage(msg));
    service.on('error', (err: Error) => this.onFailure(service, err));
    const plugin = new TemporarySlotPgoutput({ protoVersion: 1, publicationNames: [this.opts.publication] });
    plugin.onEnd = (err) => this.onFailure(service, err);
    service.subscribe(plugin, slot).then(
      () => this.onFailure(service, new Error('replication stream ended')),
      (err: Error) => this.onFailure(service, err),
    );
  }

  private onFailure(service: LogicalReplicationService, err: Error): void {
    if (service !== this.service) return;
    this.service = null;
    void service.destroy().catch(() => {});
    if (this.up) this.emit('status', 'down');
    this.up = false;
    if (this.stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    this.opts.log.warn({ err: err.message, retryInMs: Math.round(delay) }, 'logical replication lost; reconnecting');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private onMessage(msg: { tag: string } & Record<string, unknown>): void {
    if (msg.tag === 'begin') {
      const micros = msg.commitTime as bigint;
      this.commitTime = new Date(Number(micros / 1000n)).toISOString();
      return;
    }
    if (msg.tag !== 'insert' && msg.tag !== 'update' && msg.tag !== 'delete') return;
    const rel = msg.relation as {
      schema: string;
      name: string;
      keyColumns: string[];
      columns: Array<{ name: string; typeOid: number }>;
    };
    this.emit('change', {
      schema: rel.schema,
      table: rel.name,
      type: msg.tag.toUpperCase() as RowChange['type'],
      commitTimestamp: this.commitTime,
      columns: rel.columns.map((c) => ({ name: c.name, typeOid: c.typeOid })),
      primaryKey: rel.keyColumns,
      record: (msg.new as RowChange['record']) ?? null,
      oldRecord: ((msg.old ?? msg.key) as RowChange['oldRecord']) ?? null,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const service = this.service;
    this.service = null;
    await service?.destroy();
  }
}
