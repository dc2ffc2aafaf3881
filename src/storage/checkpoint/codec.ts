import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { ValueTooLargeError } from '../../domain/errors.ts';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export type Codec = 'none' | 'gzip';

/** A serialised value as stored: compressed (or not), cut into cells of at most `chunkBytes`. */
export interface Encoded {
  codec: Codec;
  chunks: Buffer[];
  /** sha256 of the stored bytes (first 32 hex): a reader never returns a mix of two writes' chunks. */
  digest: string;
}

/** Stored chunks that do not add up: a write was interrupted and another one overwrote part of it. */
export class CorruptValueError extends Error {
  override name = 'CorruptValueError';
}

export interface CodecLimits {
  chunkBytes: number;
  maxValueBytes: number;
  compressAboveBytes: number;
}

const digestOf = (body: Buffer): string => createHash('sha256').update(body).digest('hex').slice(0, 32);

/** Checks the size before anything is written (`field` names the channel), then compresses and chunks. */
export async function encode(field: string, bytes: Uint8Array, limits: CodecLimits): Promise<Encoded> {
  if (bytes.length > limits.maxValueBytes) throw new ValueTooLargeError(field, bytes.length, limits.maxValueBytes);
  let body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let codec: Codec = 'none';
  if (body.length > limits.compressAboveBytes) {
    const zipped = await gzip(body);
    if (zipped.length < body.length) [body, codec] = [zipped, 'gzip'];
  }
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += limits.chunkBytes) chunks.push(body.subarray(at, at + limits.chunkBytes));
  if (chunks.length === 0) chunks.push(Buffer.alloc(0));
  return { codec, chunks, digest: digestOf(body) };
}

/** Reassembles and checks a value; `what` names it in the error. */
export async function decode(what: string, codec: string, chunks: Buffer[], digest: string): Promise<Uint8Array> {
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (digestOf(body) !== digest)
    throw new CorruptValueError(
      `${what}: stored chunks do not match their digest (an interrupted overwrite); write it again`,
    );
  if (codec === 'none') return body;
  if (codec === 'gzip') return gunzip(body);
  throw new CorruptValueError(`${what}: unknown codec "${codec}"`);
}

/** A single-cell value (the checkpoint row's checkpoint and metadata): compressed, never chunked. */
export async function encodeCell(field: string, bytes: Uint8Array, limits: CodecLimits, codec: Codec): Promise<Buffer> {
  const body = codec === 'gzip' ? await gzip(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (body.length > limits.chunkBytes) throw new ValueTooLargeError(field, body.length, limits.chunkBytes);
  return body;
}

export async function decodeCell(codec: string, body: Buffer): Promise<Uint8Array> {
  if (codec === 'gzip') return gunzip(body);
  return body;
}
