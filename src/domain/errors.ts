/**
 * Bad input never reaches the database: every check runs before the first write, and the error
 * names the field and what would fix it.
 */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A referenced entity (session, parent turn, turn) does not exist. */
export class NotFoundError extends ValidationError {
  override name = 'NotFoundError';
}

/** A product limit would be exceeded (turns per session): the input is valid, but the entity is full. */
export class LimitError extends ValidationError {
  override name = 'LimitError';
}

/**
 * A write lost a race: a compare-and-set on a stale version, or a create of an identity that exists
 * with other content. Re-read and retry; nothing was written.
 */
export class ConflictError extends ValidationError {
  override name = 'ConflictError';
}

/** A value is over its configured maximum (`field` names it, e.g. a checkpoint channel); nothing was written. */
export class ValueTooLargeError extends ValidationError {
  override name = 'ValueTooLargeError';
  constructor(
    field: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      field,
      `${bytes} bytes is over the maximum of ${maxBytes}; store it elsewhere and keep a reference, or raise the maximum`,
    );
  }
}

/**
 * The backing store did not answer (timeout, no host, overloaded). The only retryable kind: the
 * operation may be repeated as is, because every write of the storage layer is idempotent.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly retryable = true;
  constructor(
    readonly backend: string,
    options: { cause: unknown },
  ) {
    super(
      `${backend} is unavailable: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
  }
}
