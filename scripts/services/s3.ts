// The local S3-compatible server for `backup --to s3://` / `restore --from s3://`: moto's server
// (scripts/setup/s3-server.sh installs it into .tools/moto), on loopback. moto keeps its buckets in
// memory: a restart empties them, which is what a scratch backup target for development wants.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { HOST, LOCAL, PORTS, S3_LOCAL } from '../../src/config/local-services.ts';
import { PrerequisiteError, REPO_ROOT, type Launch, type Service } from './lib.ts';

const SERVER = `${REPO_ROOT}/.tools/moto/bin/moto_server`;

/** The command that serves S3 on `port`; the test support starts private ones with it (test/support/s3.ts). */
export async function s3Launch(port: number, _dir: string): Promise<Launch & { accessKey: string; secretKey: string }> {
  return {
    cmd: SERVER,
    args: ['-H', HOST, '-p', String(port)],
    // moto accepts any key pair; fixed ones keep the SDK's signing path the same as against a real store.
    accessKey: S3_LOCAL.accessKey,
    secretKey: S3_LOCAL.secretKey,
  };
}

export const s3: Service = {
  name: 's3',
  port: PORTS.s3,
  cmdlineMarker: String(PORTS.s3),
  startTimeoutMs: 60_000,

  async checkPrerequisites() {
    if (!existsSync(SERVER)) throw new PrerequisiteError(`${SERVER} is missing: run \`make setup\``);
  },

  async prepare() {
    const { cmd, args } = await s3Launch(PORTS.s3, '');
    return { cmd, args };
  },

  async probe() {
    const res = await fetch(`${LOCAL.s3}/`, { signal: AbortSignal.timeout(5000) });
    if (res.status >= 500) throw new Error(`GET / answered ${res.status}`);
    return `S3 at ${LOCAL.s3} (moto)`;
  },

  /** The bucket the README's examples back up to. */
  async afterReady() {
    const client = new S3Client({
      endpoint: LOCAL.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: S3_LOCAL.accessKey, secretAccessKey: S3_LOCAL.secretKey },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: S3_LOCAL.bucket })).catch((err: Error) => {
        if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(err.name)) throw err;
      });
    } finally {
      client.destroy();
    }
  },
};
