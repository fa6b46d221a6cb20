/**
 * Groups take turns to write their step results, the group furthest along its path first. When many groups come
 * to their writes at once (a bulk's first rounds all answered by one shared listing), writing them side by side,
 * a slice of each in turn, finishes every group at about the end of them all; in turns, the first group is done
 * after its own writes and goes on to Graph (its upload), while the others are still being written. The same
 * total work, with each group's next Graph call asked for as early as the work before it allows. A group further
 * along (confirming its import) goes before one at its start (checking registration): its next call is nearer the
 * end, here the clean-ups that the write budget waits for.
 */
interface Waiting {
  rank: number;
  order: number;
  start: () => void;
}

export class WriteTurns {
  private busy = false;
  private readonly waiting: Waiting[] = [];
  private asked = 0;

  /** Runs `work` when no other group's writes are under way; a higher `rank` goes first, then the first asked. */
  async run<T>(rank: number, work: () => Promise<T>): Promise<T> {
    if (this.busy) {
      await new Promise<void>((start) => this.waiting.push({ rank, order: this.asked++, start }));
    }
    this.busy = true;
    try {
      return await work();
    } finally {
      this.next();
    }
  }

  private next(): void {
    let best = -1;
    this.waiting.forEach((w, i) => {
      const b = this.waiting[best];
      if (!b || w.rank > b.rank || (w.rank === b.rank && w.order < b.order)) best = i;
    });
    const [chosen] = best < 0 ? [] : this.waiting.splice(best, 1);
    // The turn passes straight to the next group: no one else can take it in between.
    if (chosen) chosen.start();
    else this.busy = false;
  }
}
