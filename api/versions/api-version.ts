import { VersionNotSupportedError } from '../../common/errors.js';
import { InvalidVersionStringError } from '../http/errors.js';

const VERSION_RE = /^([1-9]\d*)\.([1-9]\d*|0)$/;

/** A Cinder microversion `major.minor`, compared numerically (3.9 < 3.10). */
export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion {
    const match = VERSION_RE.exec(text);
    if (!match) throw new InvalidVersionStringError(text);
    return new ApiVersion(Number(match[1]), Number(match[2]));
  }

  compare(other: ApiVersion): number {
    return this.major - other.major || this.minor - other.minor;
  }

  atLeast(other: ApiVersion): boolean {
    return this.compare(other) >= 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export const MIN_API_VERSION = new ApiVersion(3, 0);
export const MAX_API_VERSION = new ApiVersion(3, 70);

const SERVICE = 'volume';

/** The `volume` entry of an `OpenStack-API-Version` header (`"volume 3.5, compute 2.1"`), if any. */
function volumeEntry(header: string): string | undefined {
  for (const item of header.split(',')) {
    const [service, version, ...rest] = item.trim().split(/\s+/);
    if (service?.toLowerCase() === SERVICE && rest.length === 0) return version ?? '';
  }
  return undefined;
}

/**
 * Cinder's negotiation: no header (or none for `volume`) → the minimum, `latest` → the maximum,
 * anything else must parse (400 otherwise) and lie within [min, max] (406 otherwise).
 */
export function negotiateVersion(header: string | undefined): ApiVersion {
  const requested = header === undefined ? undefined : volumeEntry(header);
  if (requested === undefined) return MIN_API_VERSION;
  if (requested.toLowerCase() === 'latest') return MAX_API_VERSION;
  const version = ApiVersion.parse(requested);
  if (!version.atLeast(MIN_API_VERSION) || !MAX_API_VERSION.atLeast(version)) {
    throw new VersionNotSupportedError(requested, MIN_API_VERSION.toString(), MAX_API_VERSION.toString());
  }
  return version;
}
