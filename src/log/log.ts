/**
 * Structured logs: one JSON object per line on stdout, so a log pipeline can filter by field
 * (component, event, topic) without parsing prose.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** The variable that sets the default threshold (declared with the others in src/config/env.ts). */
export const LOG_LEVEL_VAR = 'AGENTSTORE_LOG_LEVEL';

export function jsonLogger(
  base: Record<string, unknown> = {},
  min: Level = (process.env[LOG_LEVEL_VAR] as Level) ?? 'info',
): Logger {
  const threshold = ORDER[min] ?? ORDER.info;
  return {
    log(level, msg, fields = {}) {
      if (ORDER[level] < threshold) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, (_k, v) =>
        typeof v === 'bigint' ? v.toString() : v,
      );
      process.stdout.write(`${line}\n`);
    },
    child(fields) {
      return jsonLogger({ ...base, ...fields }, min);
    },
  };
}

export const silentLogger: Logger = { log() {}, child: () => silentLogger };
