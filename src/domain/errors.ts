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
