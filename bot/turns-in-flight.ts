/**
 * The Teams turns the service is answering right now (a click waits for its answer card on the person's screen).
 * Channel cards and requester notices wait for them before they are drawn and sent: an approver who clicks
 * Approve on 50 cards in a row should see each answer at once, not after the 50 channel updates those clicks
 * cause, which change nothing on the approver's screen and can as well go a moment later. A card never waits
 * longer than `maxWaitMs`, so that a stream of clicks cannot hold the channel back.
 */
export class TurnsInFlight {
  private count = 0;
  private readonly waiting = new Set<() => void>();

  /** A turn begins; call the returned function once it has been answered (a second call does nothing). */
  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
      if (this.count > 0) return;
      for (const wake of [...this.waiting]) wake();
    };
  }

  /** Resolves when no turn is in flight, or after `maxWaitMs` at the latest. */
  settled(maxWaitMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, maxWaitMs);
      this.waiting.add(wake);
    });
  }
}
