import type { Migration } from './migration.ts';

/** Adds a column: which agent build produced an agent turn, so versions can be compared (E3). */
export const agentVersion = {
  version: 2,
  name: 'agent version on turns',
  steps: [
    { addColumn: { table: 'turns', column: 'agent_version', type: 'text' } },
    { addColumn: { table: 'turns_by_session', column: 'agent_version', type: 'text' } },
  ],
} as const satisfies Migration;
