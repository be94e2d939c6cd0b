import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Reservation } from './policy/budgets.ts';
import type { RequestRecord } from './store/types.ts';

/** A request's row as it will be written, with what its settlement needs, should it have to be replayed. */
export interface JournalEntry {
  record: RequestRecord;
  body: { id: string; sealed: string; time: number } | null;
  /** The budget reservation the row's cost settles; null: no budget applied. */
  reservation: Reservation | null;
}

/** Where the journal lives in the data dir. */
export const JOURNAL_FILE = 'rows.journal';

/**
 * Rows made durable before their answers complete, at the cost of one small write each: a row
 * is appended here (to the OS, which keeps it through a `kill -9` of the process) the moment its
 * answer is ready, and the rows are written to SQLite in batches as before. Once a batch is
 * committed the journal is emptied; at start, whatever it still holds is written (each row with
 * its budget settlement, in one transaction, skipping rows already there). A SQLite commit per
 * request would cost ~70 µs and a wait for the next turn of the event loop; this costs ~5 µs.
 * (Like SQLite's own WAL at synchronous=NORMAL, it does not survive a power cut: an OS crash can
 * lose the last rows, a process crash cannot.)
 */
export class RowJournal {
  private readonly fd: number;
  private lines: string[] = [];
  private batch: { done: Promise<void>; resolve: () => void } | null = null;

  constructor(
    readonly file: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.fd = openSync(file, 'a', 0o600);
  }

  /**
   * Resolves once the entry is written: at once when `now` (a request alone has no one to share a
   * write with), else at the end of this turn of the event loop, in one write with every entry of
   * the turn — under load, one system call per burst instead of one per request.
   */
  append(entry: JournalEntry, now = false): Promise<void> {
    this.lines.push(`${JSON.stringify(entry)}\n`);
    if (now) {
      this.write();
      return Promise.resolve();
    }
    if (this.batch === null) {
      let resolve!: () => void;
      const done = new Promise<void>((settle) => (resolve = settle));
      this.batch = { done, resolve };
      setImmediate(() => this.write());
    }
    return this.batch.done;
  }

  /** Writes what waits; never throws (a failed write only costs those rows their crash-safety). */
  write(): void {
    const batch = this.batch;
    const lines = this.lines;
    this.batch = null;
    this.lines = [];
    try {
      if (lines.length > 0) writeSync(this.fd, lines.length === 1 ? lines[0]! : lines.join(''));
    } catch (error) {
      this.onError(error);
    }
    batch?.resolve();
  }

  /** Everything in it is in the database now. Appends go on from the start (the file is opened to append). */
  clear(): void {
    this.write();
    ftruncateSync(this.fd, 0);
  }

  close(): void {
    this.write();
    closeSync(this.fd);
  }
}

/** The entries a journal holds; a torn last line (the process died mid-write) is skipped. */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  const entries: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (typeof entry?.record?.id === 'string') entries.push(entry);
    } catch {
      // Torn: that answer never completed to its client.
    }
  }
  return entries;
}
