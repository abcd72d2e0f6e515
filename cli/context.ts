import type { Command } from 'commander';
import { resolveConnection, type ConnectionFlags } from './connection.js';
import { FloeApi } from './floe-api.js';
import { HttpClient } from './http-client.js';
import { Printer, type Writer } from './output.js';
import { createProgress, type Progress } from './progress.js';
import type { WaitSettings } from './wait.js';

/** What the CLI is given by its caller: process streams and environment, or a test's. */
export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: NodeJS.ProcessEnv;
  /** How often --wait polls (about 1 s; tests shorten it). */
  readonly pollIntervalMs?: number;
}

/** The options of the `floe` program itself, valid before or after any subcommand. */
export interface GlobalOptions extends ConnectionFlags {
  readonly json?: boolean;
  readonly timeout: number;
}

/** What every command action works with. */
export interface CommandContext {
  readonly api: FloeApi;
  readonly printer: Printer;
  readonly stderr: Writer;
  readonly wait: WaitSettings;
  progress(): Progress;
}

export type ContextFactory = (command: Command) => CommandContext;

const DEFAULT_POLL_INTERVAL_MS = 1000;

export function contextFactory(io: CliIo): ContextFactory {
  return (command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    return {
      api: new FloeApi(new HttpClient(resolveConnection(globals, io.env))),
      printer: new Printer(io.stdout, globals.json === true),
      stderr: io.stderr,
      wait: { timeoutSeconds: globals.timeout, intervalMs: io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS },
      progress: () => createProgress(io.stderr),
    };
  };
}
