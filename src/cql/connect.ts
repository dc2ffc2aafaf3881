import { detectDialect, type Dialect } from './dialect.ts';
import { DriverExecutor, type CqlConnection } from './driver.ts';

/** Where to connect and which dialect to speak; `auto` asks the server (src/config/settings.ts fills it). */
export interface ConnectOptions extends CqlConnection {
  dialect: Dialect | 'auto';
}

export interface Connected {
  exec: DriverExecutor;
  dialect: Dialect;
  serverVersion: string;
}

/** Connects and settles the dialect: detected from the server unless forced by --dialect. */
export async function connectCql(s: ConnectOptions): Promise<Connected> {
  const exec = await DriverExecutor.connect({
    contactPoints: s.contactPoints,
    localDataCenter: s.localDataCenter,
    ...(s.username ? { username: s.username, password: s.password ?? '' } : {}),
  });
  const detected = await detectDialect(exec);
  return { exec, dialect: s.dialect === 'auto' ? detected.dialect : s.dialect, serverVersion: detected.version };
}
