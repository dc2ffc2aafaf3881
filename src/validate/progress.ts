/**
 * The step-by-step display. On a terminal each step is one line that updates in place (spinner,
 * elapsed time, the latest sub-status); elsewhere (CI logs, pipes) only plain, final lines are
 * written, so logs stay readable and diffable.
 */
import type { StepStatus } from './types.ts';

export interface ProgressSink {
  start(step: string): void;
  update(step: string, line: string): void;
  finish(step: string, status: StepStatus, seconds: number, detail: string): void;
  note(line: string): void;
}

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

const MARK: Record<StepStatus, string> = { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' };
const FRAMES = ['|', '/', '-', '\\'];

export function createProgress(out: Out = process.stdout, now: () => number = () => performance.now()): ProgressSink {
  return out.isTTY ? new TtyProgress(out, now) : new PlainProgress(out);
}

class PlainProgress implements ProgressSink {
  private last = new Map<string, string>();
  constructor(private readonly out: Out) {}
  start(step: string): void {
    this.out.write(`==> ${step}\n`);
  }
  update(step: string, line: string): void {
    // Plain mode prints a sub-status only when it changes: a watch loop must not flood the log.
    if (this.last.get(step) === line) return;
    this.last.set(step, line);
    this.out.write(`    ${line}\n`);
  }
  finish(step: string, status: StepStatus, seconds: number, detail: string): void {
    this.out.write(`[${MARK[status]}] ${step} (${seconds.toFixed(1)} s) ${detail}\n`);
  }
  note(line: string): void {
    this.out.write(`${line}\n`);
  }
}

class TtyProgress implements ProgressSink {
  private current: { step: string; started: number; line: string; frame: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly out: Out,
    private readonly now: () => number,
  ) {}

  private draw(): void {
    const c = this.current;
    if (!c) return;
    const secs = ((this.now() - c.started) / 1000).toFixed(0);
    const width = (process.stdout.columns || 100) - 1;
    const text = `${FRAMES[c.frame++ % FRAMES.length]} ${c.step} ${secs}s ${c.line}`.slice(0, width);
    this.out.write(`\r\x1b[2K${text}`);
  }
  start(step: string): void {
    this.current = { step, started: this.now(), line: '', frame: 0 };
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }
  update(_step: string, line: string): void {
    if (this.current) this.current.line = line;
    this.draw();
  }
  finish(step: string, status: StepStatus, seconds: number, detail: string): void {
    clearInterval(this.timer);
    this.current = undefined;
    this.out.write(`\r\x1b[2K[${MARK[status]}] ${step} (${seconds.toFixed(1)} s) ${detail}\n`);
  }
  note(line: string): void {
    this.out.write(`\r\x1b[2K${line}\n`);
    this.draw();
  }
}
