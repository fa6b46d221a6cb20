/**
 * Upload records are removed as soon as their import is confirmed, beside the device's own path. At 10,000
 * devices these deletes are nearly all of a bulk's Intune writes, so the write budget binds (bench/bulk-import.ts):
 * begun one by one as each device reaches `cleanup-import`, they would start only once the devices were through
 * their waits, and the bulk would take the waits and the deletes end to end. Begun when the import is confirmed,
 * they run while the devices wait for Autopilot, Entra and the profile.
 *
 * Only a confirmed import's record is removed (the step that confirmed it is written first), so a crash cannot
 * send the job back to look for a record already gone. `cleanup-import`, the registration's last step, takes the
 * answer of the delete begun here; one this worker did not begin (another worker, a restart) or one that failed
 * is deleted by the step itself, and a record already gone counts as removed.
 */
import type { AutopilotGraph, ItemResult } from '../graph/autopilot-graph.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/** An early delete's answer is kept this long for its job's `cleanup-import` (a job that failed never asks). */
const KEEP_ANSWER_MS = 3_600_000;
/**
 * Deletes are handed to the Graph client a chunk at a time (100 is Intune's write budget for 20 s), one chunk
 * under way: enough to keep the write budget busy (the client answers a chunk as the budget allows), while an
 * import call for more devices waits behind one chunk at most, not behind every delete of the bulk, and a 429
 * stops the deletes after the request that met it, not after several sent side by side.
 */
const CHUNK = 100;
const CHUNKS_UNDER_WAY = 1;

interface EarlyDelete {
  begunAt: number;
  /** False while it waits for its chunk; undefined `answer` while under way. */
  sent: boolean;
  answer?: ItemResult<void>;
}

export interface CleanupState {
  /** Removed by an early delete. */
  removed: Set<string>;
  /** An early delete is under way. */
  underWay: Set<string>;
}

export class UploadCleanup {
  private readonly deletes = new Map<string, EarlyDelete>();
  private readonly queue: string[] = [];
  private chunksUnderWay = 0;

  constructor(
    private readonly graph: AutopilotGraph,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Begins removing these upload records (their imports are confirmed and written); returns at once. */
  begin(ids: readonly string[]): void {
    this.forgetOld();
    const begunAt = this.clock();
    for (const id of ids) {
      if (this.deletes.has(id)) continue;
      this.deletes.set(id, { begunAt, sent: false });
      this.queue.push(id);
    }
    this.sendChunks();
  }

  private sendChunks(): void {
    while (this.chunksUnderWay < CHUNKS_UNDER_WAY && this.queue.length) {
      const chunk = this.queue.splice(0, CHUNK).filter((id) => this.deletes.has(id));
      if (chunk.length === 0) continue;
      for (const id of chunk) {
        const entry = this.deletes.get(id);
        if (entry) entry.sent = true;
      }
      this.chunksUnderWay++;
      void this.graph
        .deleteImportedIdentities(chunk)
        .then(
          (answers) => {
            for (const id of chunk) {
              const entry = this.deletes.get(id);
              const answer = answers.get(id);
              if (entry && answer) entry.answer = answer;
              else this.deletes.delete(id);
            }
          },
          (error: unknown) => {
            // The step deletes these itself when it comes to them.
            for (const id of chunk) this.deletes.delete(id);
            this.logger.warn(
              { records: chunk.length, err: describeError(error) },
              'early removal of upload records failed; cleanup-import removes them',
            );
          },
        )
        .finally(() => {
          this.chunksUnderWay--;
          this.sendChunks();
        });
    }
  }

  /**
   * What became of the early deletes of these records. A removed record is forgotten once told. A failed early
   * delete is forgotten too, and so is one still waiting for its chunk (it is taken out of the queue): the step
   * deletes those itself. Ids named in neither set were never begun here.
   */
  take(ids: readonly string[]): CleanupState {
    const state: CleanupState = { removed: new Set(), underWay: new Set() };
    for (const id of ids) {
      const entry = this.deletes.get(id);
      if (!entry) continue;
      if (entry.sent && !entry.answer) {
        state.underWay.add(id);
        continue;
      }
      // A queued id left behind is skipped when its chunk is cut (sendChunks keeps only known ids).
      this.deletes.delete(id);
      if (entry.answer?.ok) state.removed.add(id);
    }
    return state;
  }

  /** Whether this record's early delete was answered with success; if so, that answer is taken (forgotten). */
  takeRemoved(id: string): boolean {
    if (this.deletes.get(id)?.answer?.ok !== true) return false;
    this.deletes.delete(id);
    return true;
  }

  private forgetOld(): void {
    const before = this.clock() - KEEP_ANSWER_MS;
    for (const [id, entry] of this.deletes) {
      // Insertion order is the order begun: the first young one ends the sweep.
      if (entry.begunAt >= before) return;
      if (entry.answer) this.deletes.delete(id);
    }
  }
}
