/**
 * Typed errors with a stable code, an HTTP status and a user-facing message.
 * The API renders them as Cinder faults: {"<faultName>": {"code": N, "message": "..."}}.
 */
export const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function faultName(status: number): string {
  return FAULT_NAMES[status] ?? 'computeFault';
}

export class FloeError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

export class InvalidInputError extends FloeError {
  constructor(message: string) {
    super('invalid_input', 400, `Invalid input received: ${message}`);
  }
}

export class NotFoundError extends FloeError {
  constructor(resource: string, id: string) {
    super('not_found', 404, `${resource} ${id} could not be found.`);
  }
}

export class ForbiddenError extends FloeError {
  constructor(message = 'Policy does not allow this action to be performed.') {
    super('forbidden', 403, message);
  }
}

export class UnauthorizedError extends FloeError {
  constructor(message = 'The request you have made requires authentication.') {
    super('unauthorized', 401, message);
  }
}

/** A status guard refused a transition; Cinder answers these with 400. */
export class InvalidStateError extends FloeError {
  constructor(resource: string, id: string, actual: string | undefined, expected: readonly string[]) {
    const now = actual === undefined ? 'it does not exist' : `its status is ${actual}`;
    super(
      'invalid_state',
      400,
      `Invalid ${resource}: ${resource} ${id} must be in status ${expected.join(' or ')}, but ${now}.`,
    );
  }
}

export class ConflictError extends FloeError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}

export class BodyTooLargeError extends FloeError {
  constructor(limit: string) {
    super('body_too_large', 413, `Request body is larger than the limit of ${limit}.`);
  }
}

export class VersionNotSupportedError extends FloeError {
  constructor(requested: string, min: string, max: string) {
    super(
      'version_not_supported',
      406,
      `Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.`,
    );
  }
}

/** Raised by the scheduler when no backend passes the filters. */
export class NoValidBackendError extends FloeError {
  constructor(reason: string) {
    super('no_valid_backend', 500, `No valid backend was found. ${reason}`);
  }
}

/** A driver failed to act on storage. */
export class DriverError extends FloeError {
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super('driver_error', 500, `${operation} failed: ${message}`, options);
  }
}

/** The message bus could not deliver a request or reply in time. */
export class RpcTimeoutError extends FloeError {
  constructor(topic: string, method: string, timeoutMs: number) {
    super('rpc_timeout', 504, `Timed out after ${timeoutMs} ms waiting for ${method} on ${topic}.`);
  }
}

export class RpcRemoteError extends FloeError {
  constructor(code: string, status: number, message: string) {
    super(code, status, message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
