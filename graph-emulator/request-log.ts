/** Every request the emulator answered, for tests and benchmarks to read. Bodies are never kept. */
export interface LoggedRequest {
  at: number;
  method: string;
  /** Path after the version, as sent. */
  path: string;
  status: number;
  /** True for a part of a `$batch`; the `$batch` envelope itself is logged with `path` `/$batch`. */
  batchPart: boolean;
  clientId?: string;
  /** Serial numbers this request uploaded (create or import action), also when its answer was then lost. */
  uploads?: string[];
  /** For a 429: the Retry-After the emulator gave, in milliseconds. */
  retryAfterMs?: number;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();

  /** Called for each request before its response is sent (tests use it to crash a client mid-request). */
  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    for (const listener of this.listeners) listener(entry);
  }

  subscribe(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Graph requests as Graph counts them: each `$batch` part is one, the envelope none. */
  graphRequests(): LoggedRequest[] {
    return this.entries.filter((e) => e.path !== '/$batch');
  }

  throttled(): number {
    return this.entries.filter((e) => e.status === 429).length;
  }

  uploadsBySerial(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of this.entries) {
      for (const serial of e.uploads ?? []) counts.set(serial, (counts.get(serial) ?? 0) + 1);
    }
    return counts;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
