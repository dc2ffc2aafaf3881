import { ValidationError } from '../domain/errors.ts';
import { StepType, type StepTypeName } from '../domain/step-types.ts';
import { checkDays } from '../domain/query-args.ts';
import { MAX_BUCKETS } from './types.ts';

export { checkDays };

export function checkBuckets(buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS)
    throw new ValidationError('buckets', `must be an integer from 1 to ${MAX_BUCKETS}`);
  return buckets;
}

export function checkStepTypeName(type: StepTypeName | null): StepType | null {
  if (type === null) return null;
  if (typeof type !== 'string' || !(type in StepType))
    throw new ValidationError(
      'type',
      `unknown step type ${JSON.stringify(type)}; use a StepType name such as "Text", or null for any`,
    );
  return StepType[type];
}

export function checkVersions(versions: string[]): string[] {
  if (
    !Array.isArray(versions) ||
    versions.length === 0 ||
    versions.length > 50 ||
    versions.some((v) => typeof v !== 'string' || v.length === 0)
  ) {
    throw new ValidationError('versions', 'give 1 to 50 agent version names');
  }
  return versions;
}
