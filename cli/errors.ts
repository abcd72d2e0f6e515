import { CommanderError } from 'commander';
import { FloeError } from '../common/errors.js';

/** The API answered with an error status. `message` is the fault's own message. */
export class ApiError extends FloeError {
  readonly requestId: string | undefined;
  readonly faultName: string | undefined;

  constructor(status: number, message: string, details: { requestId?: string; faultName?: string } = {}) {
    super('api_error', status, message);
    this.requestId = details.requestId;
    this.faultName = details.faultName;
  }
}

/** No HTTP answer at all: connection refused, unknown host, no reply in time. */
export class EndpointUnreachableError extends FloeError {
  readonly url: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(
      'endpoint_unreachable',
      503,
      `cannot reach the Floe API at ${url} (${reason}); is floe-api running? Set --endpoint or FLOE_ENDPOINT.`,
      options,
    );
    this.url = url;
  }
}

/** The command line is valid for commander but not for us (bad endpoint, nothing to update). */
export class UsageError extends FloeError {
  constructor(message: string) {
    super('usage', 400, message);
  }
}

/** A name or id matched no resource (cinderclient's wording). */
export class NoMatchError extends FloeError {
  constructor(resource: string, ref: string) {
    super('not_found', 404, `No ${resource} with a name or ID of '${ref}' exists.`);
  }
}

/** A name matched more than one resource. */
export class AmbiguousNameError extends FloeError {
  constructor(resource: string, name: string, count: number) {
    super('ambiguous_name', 409, `Multiple ${resource} matches found for '${name}' (${count}), use an ID to be more specific.`);
  }
}

/** While waiting, the volume reached an error status; `reason` is its user message. */
export class VolumeErrorStatusError extends FloeError {
  constructor(volumeId: string, status: string, reason: string) {
    super('volume_error_status', 500, `volume ${volumeId} went to status ${status}: ${reason}`);
  }
}

export class WaitTimeoutError extends FloeError {
  constructor(volumeId: string, seconds: number, lastStatus: string) {
    super('wait_timeout', 504, `gave up waiting for volume ${volumeId} after ${seconds} s (status ${lastStatus}); raise --timeout to wait longer`);
  }
}

/** Some items of a multi-item command failed; each failure was already printed. */
export class BatchError extends FloeError {
  readonly failures: readonly unknown[];

  constructor(summary: string, failures: readonly unknown[]) {
    super('batch_failed', 500, summary);
    this.failures = failures;
  }
}

/**
 * The one line printed on stderr for a failed command, optionally about one item of several
 * (`floe: volume v1: ...`). Commander's own usage errors keep their wording.
 */
export function formatError(err: unknown, subject?: string): string {
  if (err instanceof CommanderError) return err.message;
  const prefix = subject === undefined ? 'floe: ' : `floe: ${subject}: `;
  if (err instanceof ApiError) return `${prefix}${err.message} (${httpSuffix(err)})`;
  return `${prefix}${err instanceof Error ? err.message : String(err)}`;
}

function httpSuffix(err: ApiError): string {
  return err.requestId ? `HTTP ${err.status}, request ${err.requestId}` : `HTTP ${err.status}`;
}

/** A 2xx answer without the member the wire format promises. */
export class UnexpectedReplyError extends FloeError {
  constructor(request: string, missing: string) {
    super('unexpected_reply', 502, `unexpected answer from the API to ${request}: no '${missing}' in the reply`);
  }
}
