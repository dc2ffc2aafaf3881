import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../src/util/free-port.ts';
import { repoPath } from '../../src/util/repo.ts';
import { waitForTcp } from '../../src/util/wait-tcp.ts';
import { s3Launch } from '../../scripts/services/s3.ts';

export interface TestS3 {
  endpoint: string;
  /** What the CLI needs to reach it: endpoint and keys. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private S3-compatible server on a free loopback port, in a temporary folder (the one the services
 * script runs, scripts/services/s3.ts), so a test never shares the lead's and cleans up after itself.
 */
export async function startTestS3(): Promise<TestS3> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'agentstore-backup-s3-'));
  const launch = await s3Launch(port, dir);
  if (!existsSync(launch.cmd) && launch.cmd.startsWith(repoPath()))
    throw new Error(`${launch.cmd} is missing: run \`make setup\` (it builds the S3 server)`);
  const child: ChildProcess = spawn(launch.cmd, launch.args, {
    stdio: 'ignore',
    env: { ...process.env, ...launch.env },
  });
  await waitForTcp('127.0.0.1', port, { deadline: Date.now() + 120_000 });
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    AGENTSTORE_S3_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: launch.accessKey,
    AWS_SECRET_ACCESS_KEY: launch.secretKey,
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: launch.accessKey, secretAccessKey: launch.secretKey },
  });
  return {
    endpoint,
    env,
    async createBucket(name) {
      // The gateway may answer TCP before its filer is up: retry a bounded number of times.
      for (let i = 0; ; i++) {
        try {
          await client.send(new CreateBucketCommand({ Bucket: name }));
          return;
        } catch (err) {
          if (i >= 60) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    },
    async stop() {
      client.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
