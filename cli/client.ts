/** The intake API as the CLI uses it. */
export interface JobView {
  id: string;
  status: string;
  outcome?: string;
  serialNumber: string;
  updatedAt: string;
  error?: { code: string; name: string; advice: string };
}

export interface Refusal {
  error: { code: string; message: string; field?: string };
}

export class IntakeClient {
  constructor(
    private readonly server: string,
    private readonly key: string,
  ) {}

  private async call(
    method: string,
    path: string,
    body?: string | Uint8Array,
    contentType?: string,
  ): Promise<{ status: number; body: unknown; retryAfterSeconds?: number }> {
    const response = await fetch(`${this.server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    };
  }

  submit(device: Record<string, string>) {
    return this.call('POST', '/api/submissions', JSON.stringify(device), 'application/json');
  }

  submitCsv(csv: Uint8Array, defaults: { manufacturer?: string; model?: string }) {
    const query = new URLSearchParams(
      Object.entries(defaults).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return this.call(
      'POST',
      `/api/submissions/batch${query.size ? `?${query.toString()}` : ''}`,
      csv,
      'text/csv',
    );
  }

  /** Bulk re-tag: the file's serial numbers, all to `groupTag`, after an approver's Approve all. */
  submitRetag(csv: Uint8Array, groupTag: string) {
    const query = new URLSearchParams({ groupTag });
    return this.call('POST', `/api/changes/batch?${query.toString()}`, csv, 'text/csv');
  }

  /**
   * Up to 500 jobs at once: waits up to `waitSeconds` for one of them to change after `since`. A 429 is waited
   * out for as long as its Retry-After says, then asked again.
   */
  async status(ids: readonly string[], since: string | undefined, waitSeconds: number): Promise<JobView[]> {
    const body = JSON.stringify({ ids, waitSeconds, ...(since ? { since } : {}) });
    for (;;) {
      const reply = await this.call('POST', '/api/submissions/status', body, 'application/json');
      if (reply.status === 429) {
        await new Promise((r) => setTimeout(r, Math.max(1, reply.retryAfterSeconds ?? 1) * 1000));
        continue;
      }
      if (reply.status !== 200)
        throw new Error(
          `POST /api/submissions/status answered ${reply.status}: ${JSON.stringify(reply.body)}`,
        );
      return (reply.body as { jobs: JobView[] }).jobs;
    }
  }
}
