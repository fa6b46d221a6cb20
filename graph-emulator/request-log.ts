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
  /** Serial numbers uploaded by this request (create or import action). */
  uploads?: string[];
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
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
      if (e.status >= 300) continue;
      for (const serial of e.uploads ?? []) counts.set(serial, (counts.get(serial) ?? 0) + 1);
    }
    return counts;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
