import { FloeError } from '../../common/errors.js';

/** Errors only the HTTP layer raises; the domain ones live in common/errors.ts. */

export class RouteNotFoundError extends FloeError {
  constructor() {
    super('route_not_found', 404, 'The resource could not be found.');
  }
}

export class MalformedRequestUrlError extends FloeError {
  constructor() {
    super('malformed_url', 400, 'Malformed request url');
  }
}

/** The database could not be reached (down, restarting, unreachable): the request changed nothing. */
export class DatabaseUnavailableError extends FloeError {
  constructor() {
    super('database_unavailable', 503, 'The database is unavailable; the request was not carried out. Try again later.');
  }
}

export class MalformedBodyError extends FloeError {
  constructor() {
    super('malformed_body', 400, 'Malformed request body');
  }
}

export class InvalidVersionStringError extends FloeError {
  constructor(value: string) {
    super(
      'invalid_version_string',
      400,
      `API Version String ${value} is of invalid format. Must be of format MajorNum.MinorNum.`,
    );
  }
}

/** The route exists, but not at the negotiated microversion (Cinder answers 404). */
export class VersionNotFoundForMethodError extends FloeError {
  constructor(version: string) {
    super('version_not_found_for_method', 404, `API version ${version} is not supported on this method.`);
  }
}

export class NoSuchActionError extends FloeError {
  constructor(action: string) {
    super('no_such_action', 400, `There is no such action: ${action}`);
  }
}
