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
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
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

  /** Waits up to `waitSeconds` for the job to change after `since`. */
  async follow(id: string, since: string | undefined, waitSeconds: number): Promise<JobView> {
    const query = new URLSearchParams({ waitSeconds: String(waitSeconds), ...(since ? { since } : {}) });
    const reply = await this.call('GET', `/api/submissions/${encodeURIComponent(id)}?${query.toString()}`);
    if (reply.status !== 200)
      throw new Error(`GET /api/submissions/${id} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body as JobView;
  }
}
