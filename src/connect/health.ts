/**
 * One verdict on a connector's status, shared by registration, `connector status`, the supervisor
 * and `make validate`: up means the connector and at least one task, every task, are RUNNING.
 */
import type { ConnectState, ConnectorStatus } from './rest.ts';

/** MISSING: no such connector; UNREACHABLE: the REST API did not answer. */
export type ConnectorState = ConnectState | 'MISSING' | 'UNREACHABLE';

export const CONNECTOR_STATES: readonly ConnectorState[] = [
  'RUNNING',
  'FAILED',
  'PAUSED',
  'STOPPED',
  'UNASSIGNED',
  'RESTARTING',
  'MISSING',
  'UNREACHABLE',
];

export interface Health {
  up: boolean;
  state: ConnectorState;
  /** Task states by task id (empty until the connector has created its tasks). */
  tasks: ConnectState[];
  /** The parts in FAILED ("connector", "task 0"), with the worker's stack trace of each. */
  failed: { what: string; trace: string }[];
  /** One line: "connector RUNNING, tasks 0=RUNNING". */
  summary: string;
}

export function health(status: ConnectorStatus | undefined): Health {
  if (!status) return { up: false, state: 'MISSING', tasks: [], failed: [], summary: 'connector not registered' };
  const tasks = [...status.tasks].sort((a, b) => a.id - b.id);
  const failed = [
    ...(status.connector.state === 'FAILED' ? [{ what: 'connector', trace: status.connector.trace ?? '' }] : []),
    ...tasks.filter((t) => t.state === 'FAILED').map((t) => ({ what: `task ${t.id}`, trace: t.trace ?? '' })),
  ];
  const up = status.connector.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
  const taskText = tasks.length ? tasks.map((t) => `${t.id}=${t.state}`).join(', ') : 'none yet';
  return {
    up,
    state: status.connector.state,
    tasks: tasks.map((t) => t.state),
    failed,
    summary: `connector ${status.connector.state}, tasks ${taskText}`,
  };
}

export const unreachable = (detail: string): Health => ({
  up: false,
  state: 'UNREACHABLE',
  tasks: [],
  failed: [],
  summary: `REST API unreachable (${detail})`,
});

/** The failed parts' traces, first lines only: the cause is at the top, the rest is Connect's stack. */
export const traces = (h: Health, lines = 20): string[] =>
  h.failed.flatMap((f) => [`--- ${f.what} trace:`, ...(f.trace || '(no trace)').split('\n').slice(0, lines)]);
