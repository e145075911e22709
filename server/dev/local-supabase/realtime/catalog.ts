import type pg from 'pg';

/** What the local Realtime needs to know of a table in the publication. */
export interface TableInfo {
  entity: string; // quoted schema.table, castable to regclass
  schema: string;
  table: string;
  rls: boolean;
  columns: Array<{ name: string; type: string }>;
  types: Map<string, string>;
  /** Text columns whose collation is deterministic: equal values are equal bytes. */
  plainText: Set<string>;
  primaryKey: string[];
}

/** The tables of a publication (Supabase's "Realtime enabled" list), read from the catalog. */
export class PublicationCatalog {
  private tables = new Map<string, TableInfo>();
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: pg.Pool,
    private readonly publication: string,
  ) {}

  async refresh(): Promise<void> {
    this.loading ??= (async () => {
      const { rows } = await this.db.query<{
        schema: string;
        table: string;
        rls: boolean;
        columns: Array<{ name: string; type: string; deterministic: boolean }>;
        pk: string[] | null;
      }>(
        `select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
                (select json_agg(json_build_object('name', a.attname, 'type', t.typname,
                                                  'deterministic', coalesce(co.collisdeterministic, true)) order by a.attnum)
                   from pg_attribute a join pg_type t on t.oid = a.atttypid
                   left join pg_collation co on co.oid = a.attcollation
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
                (select json_agg(a.attname order by a.attnum)
                   from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                  where i.indrelid = c.oid and i.indisprimary) as pk
           from pg_publication_tables pt
           join pg_namespace n on n.nspname = pt.schemaname
           join pg_class c on c.relnamespace = n.oid and c.relname = pt.tablename
          where pt.pubname = $1`,
        [this.publication],
      );
      this.tables = new Map(
        rows.map((r) => [
          `${r.schema}.${r.table}`,
          {
            entity: `"${r.schema.replace(/"/g, '""')}"."${r.table.replace(/"/g, '""')}"`,
            schema: r.schema,
            table: r.table,
            rls: r.rls,
            columns: r.columns,
            types: new Map(r.columns.map((c) => [c.name, c.type])),
            plainText: new Set(r.columns.filter((c) => c.type === 'text' && c.deterministic).map((c) => c.name)),
            primaryKey: r.pk ?? [],
          },
        ]),
      );
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  get(schema: string, table: string): TableInfo | undefined {
    return this.tables.get(`${schema}.${table}`);
  }

  /** Tables matching a binding's schema and table (`*` or absent means all). */
  matching(schema: string, table: string | undefined): TableInfo[] {
    return [...this.tables.values()].filter((t) => (schema === '*' || t.schema === schema) && (!table || table === '*' || t.table === table));
  }
}

/** A text value from the WAL as `to_jsonb` would render it (realtime's `realtime.cast`). */
export function jsonValue(text: string | null | undefined, type: string): unknown {
  if (text === null || text === undefined) return null;
  switch (type) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric':
    case 'oid': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'json':
    case 'jsonb':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'timestamptz':
      // '2026-01-01 12:00:00.123+00' -> '2026-01-01T12:00:00.123+00:00'
      return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    case 'timestamp':
      return text.replace(' ', 'T');
    default:
      return text;
  }
}
