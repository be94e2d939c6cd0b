import type { ResponseRecord } from '../formats/openai-responses/previous.ts';
import type { Db } from './database.ts';

/** How long a stored response can be continued or read, unless the caller says otherwise. */
export const RESPONSE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** The largest record kept (its JSON, in bytes): a bigger one is answered but not stored. */
export const RESPONSE_MAX_BYTES = 4 * 1024 * 1024;

/** Turns plaintext into what lands in SQLite and back; a `SecretBox` is one. */
export interface Sealing {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** A response kept for `previous_response_id` and `GET`/`DELETE /responses/{id}`. */
export interface StoredResponse extends ResponseRecord {
  /** `resp_…`, as the client received it. */
  id: string;
  /** The app that created it: the only one that may read or delete it. */
  app: string;
  route: string;
  /** ms since the epoch. */
  createdAt: number;
}

/** The reads and writes of stored responses, sealed. */
export interface ResponseStore {
  /** Keeps a response until `createdAt` + the retention; false (nothing kept) when its record is over the size cap. */
  save(response: StoredResponse): boolean;
  /** The response, or null when unknown, expired by `now`, or another app's. */
  get(id: string, app: string, now: number): StoredResponse | null;
  /** Removes a response of this app not expired by `now`; false when there was none. */
  delete(id: string, app: string, now: number): boolean;
}

interface ResponseRow {
  id: string;
  app: string;
  route: string;
  created_at: number;
  expires_at: number;
  sealed: string;
}

/**
 * Stored responses. Their items hold prompts and answers, so only sealed text reaches the table:
 * `sealedWith` gives the reads and writes once the gateway has its secret box (the store is opened
 * before it); pruning needs none.
 */
export function responsesTable(db: Db) {
  const insert = db.prepare(
    `INSERT INTO responses (id, app, route, model, created_at, expires_at, size, sealed)
     VALUES (@id, @app, @route, @model, @createdAt, @expiresAt, @size, @sealed)`,
  );
  const select = db.prepare<[string, string, number], ResponseRow>(
    `SELECT id, app, route, created_at, expires_at, sealed FROM responses
     WHERE id = ? AND app = ? AND expires_at > ?`,
  );
  const remove = db.prepare<[string, string, number]>(
    'DELETE FROM responses WHERE id = ? AND app = ? AND expires_at > ?',
  );
  const prune = db.prepare<[number]>('DELETE FROM responses WHERE expires_at <= ?');

  return {
    /** Removes the responses expired by `now`; returns how many. */
    prune: (now: number): number => prune.run(now).changes,
    sealedWith(sealing: Sealing, limits: { retentionMs?: number; maxBytes?: number } = {}): ResponseStore {
      const retentionMs = limits.retentionMs ?? RESPONSE_RETENTION_MS;
      const maxBytes = limits.maxBytes ?? RESPONSE_MAX_BYTES;
      return {
        save(response) {
          const { id, app, route, createdAt, ...record } = response;
          const plaintext = JSON.stringify(record);
          const size = Buffer.byteLength(plaintext, 'utf8');
          if (size > maxBytes) return false;
          insert.run({
            id,
            app,
            route,
            model: record.model,
            createdAt,
            expiresAt: createdAt + retentionMs,
            size,
            sealed: sealing.seal(plaintext),
          });
          return true;
        },
        get(id, app, now) {
          const row = select.get(id, app, now);
          if (!row) return null;
          let record: ResponseRecord;
          try {
            record = JSON.parse(sealing.open(row.sealed)) as ResponseRecord;
          } catch {
            // Sealed under a key this gateway no longer has (a new key file, another keychain):
            // unreadable for good, so gone, as an expired one is.
            return null;
          }
          return { ...record, id: row.id, app: row.app, route: row.route, createdAt: row.created_at };
        },
        delete: (id, app, now) => remove.run(id, app, now).changes > 0,
      };
    },
  };
}
