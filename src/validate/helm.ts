/** The real Helm runner and Host probes, on child_process. */
import { execFile, spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Helm, ProcessResult, Host } from './kube.ts';
import { repoPath } from '../util/repo.ts';

export function runProcess(
  file: string,
  args: string[],
  onLine?: (line: string) => void,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    const lines = (chunk: string) => {
      for (const l of chunk.split('\n')) if (l.trim()) onLine?.(l.trim());
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      lines(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      lines(d);
    });
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: stderr + err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export class HelmBinary implements Helm {
  constructor(readonly binary: string) {}
  run(args: string[], onLine?: (line: string) => void, signal?: AbortSignal): Promise<ProcessResult> {
    return runProcess(this.binary, args, onLine, signal);
  }
}

export class LocalHost implements Host {
  async which(tool: string): Promise<string | null> {
    // .tools/bin first: `make setup` installs helm there, and the Makefile puts it first on PATH too.
    const dirs = [repoPath('.tools/bin'), ...(process.env['PATH'] ?? '').split(delimiter)];
    for (const dir of dirs) {
      const p = join(dir, tool);
      try {
        await access(p, constants.X_OK);
        return p;
      } catch {
        /* next */
      }
    }
    return null;
  }
  exec(file: string, args: string[], timeoutMs = 20_000): Promise<ProcessResult> {
    return new Promise((resolve) => {
      execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout,
          stderr: stderr || (err?.message ?? ''),
        });
      });
    });
  }
  async readFile(path: string): Promise<string | null> {
    return readFile(path, 'utf8').catch(() => null);
  }
  platform(): string {
    return process.platform;
  }
  uid(): number {
    return process.getuid?.() ?? -1;
  }
}
