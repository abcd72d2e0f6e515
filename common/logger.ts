import { createRequire } from 'node:module';
import type winston from 'winston';
import { currentContext } from './context.js';

type LogMethod = (message: string, meta?: Record<string, unknown>) => void;

/** What Floe's code logs with: structured lines at four levels, tagged with their component. */
export interface Logger {
  readonly error: LogMethod;
  readonly warn: LogMethod;
  readonly info: LogMethod;
  readonly debug: LogMethod;
}

const settings = { level: process.env.FLOE_LOG_LEVEL ?? 'info', format: process.env.FLOE_LOG_FORMAT ?? 'json' };
let root: winston.Logger | undefined;

/**
 * winston is loaded when the first line is written: a floe-agent command that logs nothing (most
 * of them) starts 70-80 ms sooner without it. It is CommonJS, so `require` loads it synchronously.
 */
function rootLogger(): winston.Logger {
  if (root) return root;
  const w = loadWinston();
  root = w.createLogger({
    level: settings.level,
    format: makeFormat(w, settings.format),
    transports: [new w.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  return root;
}

function makeFormat(w: typeof winston, kind: string): winston.Logform.Format {
  // Adds the request context of the current async flow to every log line.
  const withContext = w.format((info) => {
    const context = currentContext();
    if (context) {
      info.request_id = context.requestId;
      if (context.projectId) info.project_id = context.projectId;
      info.user_id = context.userId;
    }
    return info;
  });
  const base = [withContext(), w.format.timestamp(), w.format.errors({ stack: false })];
  if (kind === 'pretty') return w.format.combine(...base, w.format.colorize(), w.format.simple());
  return w.format.combine(...base, w.format.json());
}

/** A logger tagged with the component that writes (`api`, `scheduler`, `volume:host@be`). */
export function getLogger(component: string): Logger {
  let child: winston.Logger | undefined;
  const at =
    (level: keyof Logger): LogMethod =>
    (message, meta) => {
      child ??= rootLogger().child({ component });
      if (meta === undefined) child[level](message);
      else child[level](message, meta);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export function configureLogging(level: string, format: string): void {
  settings.level = level;
  settings.format = format;
  if (!root) return;
  root.level = level;
  root.format = makeFormat(loadWinston(), format);
}

function loadWinston(): typeof winston {
  return createRequire(import.meta.url)('winston') as typeof winston;
}
