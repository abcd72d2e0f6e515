/** Tracks background tasks; the first failure is kept and thrown by `check` and `drain`. */
export class TaskGroup {
  readonly #running = new Set<Promise<unknown>>();
  #failure: { error: unknown } | undefined;

  add(task: Promise<unknown>): void {
    this.#running.add(task);
    task.then(
      () => this.#running.delete(task),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#running.delete(task);
      },
    );
  }

  /** Resolves once fewer than `limit` tasks run (bounds the work in flight). */
  async whenBelow(limit: number): Promise<void> {
    while (this.#running.size >= limit) await Promise.race(this.#running).catch(() => undefined);
  }

  check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  async drain(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Waits for every task, whatever its outcome (after a failure, before giving up). */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
