/**
 * Where the checkout is, found from this file's own place in it. Whatever a command of ours writes or
 * reads in the checkout (reports, tools, the CLI entry point) is resolved from here, never from the
 * caller's working directory: `make -C`, an editor's task runner or a test's cwd must not change it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `make test`, `make validate` and `make bench` write their reports here (git-ignored). */
export const REPORTS_DIR = join(REPO_ROOT, '.reports');

/** A path inside the checkout. */
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);

/** Writes a file, creating its folder first: no command of ours fails because a folder is missing. */
export async function writeFileAt(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** How to show a path to the user: relative when it is under the current directory, else absolute. */
export function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
