/**
 * One run of an operation at a time: callers that arrive while it runs share its outcome, and the
 * next caller after it settles (success or failure) starts a new run.
 */
export class SingleFlight<T> {
  #running?: Promise<T>;

  run(start: () => Promise<T>): Promise<T> {
    this.#running ??= start().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
