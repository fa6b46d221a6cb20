/**
 * Group commit: the job writes asked for in one turn of the event loop are made together, in transactions of up to
 * 100, right after that turn. A write's promise resolves only once its transaction is committed, so "persisted before
 * acting" still holds for each caller; what is shared is the commit, which costs more than the write itself (a bulk's
 * 500 step results are five commits instead of 500). The write lock is held only while the queued writes run, so other
 * connections to the file, in this process or another, are never kept waiting across turns of the event loop.
 *
 * A write waits at most MAX_WAIT_MS for the others: when a turn is long (50 card clicks arriving at once, each read,
 * decided and queued in turn), the writes queued so far are committed as soon as that much time has passed, and their
 * callers go on (the clicks are answered) while the rest of the turn is still being worked through. Without it every
 * click of such a burst waited for the last one's decision, and the whole burst was answered at once at its end.
 */
import type Database from 'better-sqlite3';

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes per transaction: about 10 ms of a job's writes, and enough to make the commit's cost small. */
const GROUP_LIMIT = 100;
/** The longest a queued write waits for others to share its commit, in ms. */
export const MAX_WAIT_MS = 4;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Queued[] = [];
  /** When the oldest queued write was asked for (by `now`). */
  private oldestAt = 0;

  /** `now` is the clock in ms (performance.now() unless a test gives its own). */
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Queues `write` (synchronous SQL) for the next group; resolves with its value once committed. */
  run<T>(write: () => T): Promise<T> {
    if (this.queue.length === 0) {
      this.oldestAt = this.now();
      setImmediate(() => this.flushSome());
    }
    const committed = new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
    // The callers' promises settle in a later microtask, never inside this call.
    if (this.now() - this.oldestAt >= MAX_WAIT_MS) this.flushSome();
    return committed;
  }

  /**
   * Commits at most GROUP_LIMIT queued writes and leaves the rest for the next turn of the event loop: a bulk's
   * thousands of step results would otherwise hold the thread for hundreds of ms, while Graph's answers (and the
   * write budget's timers) wait behind them.
   */
  private flushSome(): void {
    const rest = this.queue.splice(GROUP_LIMIT);
    this.commit(this.queue);
    this.queue = rest;
    this.oldestAt = this.now();
    if (rest.length) setImmediate(() => this.flushSome());
  }

  /** Runs and commits the queued writes now (also before the database closes). */
  flush(): void {
    const queue = this.queue;
    this.queue = [];
    this.commit(queue);
  }

  private commit(queue: Queued[]): void {
    if (queue.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      this.db
        .transaction(() => {
          for (const item of queue) {
            try {
              outcomes.push({ ok: true, value: item.write() });
            } catch (error) {
              // A failed statement (a conflict, a constraint) is undone alone; one that ended the transaction
              // (disk full, I/O error) ends the whole group.
              if (!this.db.inTransaction) throw error;
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const item of queue) item.reject(error);
      return;
    }
    queue.forEach((item, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
