import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { which } from 'zx';

/**
 * Where the Debian PostgreSQL binaries are and which account runs them: the local services
 * (scripts/services/postgres.ts) and the index study's private server (src/postgres/index-study/)
 * start the same postmaster the same way.
 */

/** The `postgres` account's uid, gid and home, from /etc/passwd (the Debian package creates it). */
export function postgresAccount(): { uid: number; gid: number; home: string } | undefined {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const entry = passwd
    .split('\n')
    .find((line) => line.startsWith('postgres:'))
    ?.split(':');
  if (!entry?.[2] || !entry[3] || !entry[5]) return undefined;
  return { uid: Number(entry[2]), gid: Number(entry[3]), home: entry[5] };
}

const DEBIAN = '/usr/lib/postgresql';

/** Newest /usr/lib/postgresql/<v>/bin (Debian), else the directory of `initdb` on PATH; undefined if neither. */
export function postgresBinDir(): string | undefined {
  const versions = existsSync(DEBIAN)
    ? readdirSync(DEBIAN)
        .filter((v) => existsSync(path.join(DEBIAN, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(DEBIAN, versions[0], 'bin');
  const initdb = which.sync('initdb', { nothrow: true });
  if (initdb && existsSync(path.join(path.dirname(initdb), 'postgres'))) return path.dirname(initdb);
  return undefined;
}

/** Where binDir() looked, for the error that says it found nothing. */
export const POSTGRES_BIN_SEARCH = `${DEBIAN}/<v>/bin and PATH`;
