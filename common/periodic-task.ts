import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** A task repeated every `intervalMs`; runs never overlap. */
export interface PeriodicTask {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (the first run after one interval). A failed run is logged and
 * the schedule goes on: periodic work (heartbeats, reports) must survive a passing outage.
 */
export function startPeriodicTask(name: string, intervalMs: number, task: () => Promise<void>, log: Logger): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = async (): Promise<void> => {
    try {
      await task();
    } catch (err) {
      log.warn(`periodic task ${name} failed`, { error: errorMessage(err) });
    }
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      running = runOnce().then(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
