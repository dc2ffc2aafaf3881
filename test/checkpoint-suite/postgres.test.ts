import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import {
  deltaChannelHistoryTests,
  specTest,
  type CheckpointSaverTestInitializer,
} from '@langchain/langgraph-checkpoint-validation';
import type pg from 'pg';
import { dropSchema } from '../../src/postgres/connect.ts';
import { connectTestPg, testSchema } from '../support/pg.ts';

// The same suite against the official PostgresSaver on our PostgreSQL: the baseline ours is held to.
// Each instance gets a schema of its own (the suite's list-every-thread cases see everything an
// instance stored), dropped when the suite destroys the instance.
let pool: pg.Pool;
const schemas = new WeakMap<PostgresSaver, string>();

const initializer: CheckpointSaverTestInitializer<PostgresSaver> = {
  checkpointerName: '@langchain/langgraph-checkpoint-postgres',
  beforeAllTimeout: 60_000,
  async beforeAll() {
    pool = await connectTestPg('public');
  },
  async afterAll() {
    await pool?.end();
  },
  async createCheckpointer() {
    const schema = testSchema('checkpointer_pg');
    const saver = new PostgresSaver(pool, undefined, { schema });
    await saver.setup();
    schemas.set(saver, schema);
    return saver;
  },
  async destroyCheckpointer(saver) {
    await dropSchema(pool, schemas.get(saver)!);
  },
};

specTest(initializer);
deltaChannelHistoryTests(initializer);
