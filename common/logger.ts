import winston from 'winston';
import { currentContext } from './context.js';

/** Adds the request context of the current async flow to every log line. */
const withContext = winston.format((info) => {
  const context = currentContext();
  if (context) {
    info.request_id = context.requestId;
    if (context.projectId) info.project_id = context.projectId;
    info.user_id = context.userId;
  }
  return info;
});

function makeFormat(kind: string): winston.Logform.Format {
  const base = [withContext(), winston.format.timestamp(), winston.format.errors({ stack: false })];
  if (kind === 'pretty') {
    return winston.format.combine(...base, winston.format.colorize(), winston.format.simple());
  }
  return winston.format.combine(...base, winston.format.json());
}

const root = winston.createLogger({
  level: process.env.FLOE_LOG_LEVEL ?? 'info',
  format: makeFormat(process.env.FLOE_LOG_FORMAT ?? 'json'),
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
});

export type Logger = winston.Logger;

/** A child logger tagged with the component that writes (`api`, `scheduler`, `volume:host@be`). */
export function getLogger(component: string): Logger {
  return root.child({ component });
}

export function configureLogging(level: string, format: string): void {
  root.level = level;
  root.format = makeFormat(format);
}
