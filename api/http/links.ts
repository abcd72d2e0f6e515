import type { Request } from 'express';
import type { FloeConfig } from '../../common/config.js';

export interface Link {
  readonly rel: string;
  readonly href: string;
}

/** The service's own address: the configured public URL, else what the client used. */
export function baseUrl(req: Request, config: FloeConfig): string {
  const base = config.api.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return base.replace(/\/+$/, '');
}

/** Builds the links Cinder puts in its views; the project appears only if the URL named it. */
export class LinkBuilder {
  readonly #base: string;
  readonly #project: string;

  constructor(base: string, urlProjectId: string | undefined) {
    this.#base = base;
    this.#project = urlProjectId === undefined ? '' : `/${encodeURIComponent(urlProjectId)}`;
  }

  resource(collection: string, id: string): Link[] {
    const path = `${this.#project}/${collection}/${id}`;
    return [
      { rel: 'self', href: `${this.#base}/v3${path}` },
      { rel: 'bookmark', href: `${this.#base}${path}` },
    ];
  }

  /** The request's own URL with `marker` set to the last item of the page. */
  next(originalUrl: string, marker: string): Link {
    const url = new URL(originalUrl, 'http://placeholder');
    url.searchParams.set('marker', marker);
    return { rel: 'next', href: `${this.#base}${url.pathname}${url.search}` };
  }
}
