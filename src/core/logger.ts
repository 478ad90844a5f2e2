import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr, so stdout stays the report. `level` comes from the config (QUORUM_LOG_LEVEL). */
export function createLogger(level: string, name = 'quorum'): Logger {
  return pino({ name, level }, pino.destination({ fd: 2, sync: true }));
}
