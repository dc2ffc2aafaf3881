import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ENV, readEnv } from '../config/env.ts';
import type { BlobStore, S3Target } from './store.ts';

/**
 * An S3-compatible bucket through the AWS SDK v3. Path-style addressing and an endpoint from
 * AGENTSTORE_S3_ENDPOINT, because the stores people run beside a cluster (SeaweedFS, MinIO, Ceph RGW)
 * serve buckets under the path; without an endpoint it is AWS S3. Keys come from the SDK's default
 * chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the chart sets them from a Secret).
 */
export class S3Store implements BlobStore {
  private constructor(
    readonly url: string,
    private readonly client: S3Client,
    private readonly target: S3Target,
  ) {}

  static open(url: string, target: S3Target, env: NodeJS.ProcessEnv = process.env): S3Store {
    const endpoint = readEnv(env, ENV.s3Endpoint);
    const client = new S3Client({
      region: readEnv(env, ENV.s3Region) ?? ENV.s3Region.default,
      forcePathStyle: true,
      ...(endpoint ? { endpoint } : {}),
      // Checksums on every request (the SDK's default since 3.729) are not served by every S3-compatible store.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3Store(url, client, target);
  }

  private key(key: string): string {
    return this.target.prefix ? `${this.target.prefix}/${key}` : key;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.target.bucket, Key: this.key(key), Body: body }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: this.key(key) }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const base = this.key(prefix);
    const strip = this.target.prefix ? this.target.prefix.length + 1 : 0;
    let token: string | undefined;
    // Bounded: a backup has thousands of objects at most; 10,000 pages of 1,000 is far beyond it.
    for (let page = 0; page < 10_000; page++) {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.target.bucket,
          Prefix: base,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(strip));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (!token) break;
    }
    return keys.sort();
  }

  async removeAll(prefix: string): Promise<void> {
    // One DELETE per key: DeleteObjects needs a Content-MD5 / checksum header that S3-compatible stores
    // disagree on, and retention removes a few hundred parts at most.
    for (const k of await this.list(prefix))
      await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.key(k) }));
  }
}
