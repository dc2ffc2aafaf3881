import {
  deltaChannelHistoryTests,
  specTest,
  type CheckpointSaverTestInitializer,
} from '@langchain/langgraph-checkpoint-validation';
import type { CqlCheckpointSaver } from '../../src/storage/checkpoint/index.ts';
import { checkpointKeyspace, type CheckpointKeyspace } from '../support/checkpoint.ts';

// The official suite (718 tests) plus its opt-in delta-channel tests (8) against our saver on the local
// Cassandra. No TRUNCATE: each instance the suite creates gets a fresh scope, which is part of every
// partition key, so the suite's fixed thread ids ("1", "2", "thread-1") never meet another instance's.
let ks: CheckpointKeyspace;

const initializer: CheckpointSaverTestInitializer<CqlCheckpointSaver> = {
  checkpointerName: 'CqlCheckpointSaver',
  beforeAllTimeout: 300_000,
  async beforeAll() {
    ks = await checkpointKeyspace();
  },
  async afterAll() {
    await ks?.close();
  },
  createCheckpointer: () => ks.saver(),
};

specTest(initializer);
deltaChannelHistoryTests(initializer);
