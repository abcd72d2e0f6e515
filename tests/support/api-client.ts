/** A minimal Cinder v3 client for tests: raw fetch, so tests see exactly what goes over the wire. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class TestApi {
  constructor(
    private readonly baseUrl: string,
    private readonly user = 'demo',
    private readonly project = 'demo',
    private readonly microversion = '3.70',
  ) {}

  as(user: string, project: string): TestApi {
    return new TestApi(this.baseUrl, user, project, this.microversion);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {
      'X-Auth-Token': `${this.user}:${this.project}`,
      'OpenStack-API-Version': `volume ${this.microversion}`,
    };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${this.baseUrl}/v3/${this.project}${path}`, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  /** Polls a volume until its status is one of `statuses` (or it is gone, when 'deleted' is asked for). */
  async waitForVolume(id: string, statuses: readonly string[], timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.request<{ volume: Record<string, unknown> }>('GET', `/volumes/${id}`);
      if (res.status === 404 && statuses.includes('deleted')) return { id, status: 'deleted' };
      const status = res.body.volume?.status as string | undefined;
      if (status && statuses.includes(status)) return res.body.volume;
      if (Date.now() > deadline) throw new Error(`volume ${id} is ${status ?? res.status}, not ${statuses.join('|')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Polls a backup until its status is one of `statuses` (or it is gone, when 'deleted' is asked for). */
  async waitForBackup(id: string, statuses: readonly string[], timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.request<{ backup: Record<string, unknown> }>('GET', `/backups/${id}`);
      if (res.status === 404 && statuses.includes('deleted')) return { id, status: 'deleted' };
      const status = res.body.backup?.status as string | undefined;
      if (status && statuses.includes(status)) return res.body.backup;
      if (Date.now() > deadline) throw new Error(`backup ${id} is ${status ?? res.status}, not ${statuses.join('|')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
