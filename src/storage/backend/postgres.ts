import { ValidationError } from '../../domain/errors.ts';
import type { Clock } from '../component.ts';
import type { StorageConfig } from './factory.ts';
import type { StorageBackend } from './types.ts';

export function openPgBackend(
  _config: Extract<StorageConfig, { backend: 'postgres' }>,
  _clock: Clock,
): Promise<StorageBackend> {
  return Promise.reject(new ValidationError('backend', 'the postgres backend is not in this build yet'));
}
