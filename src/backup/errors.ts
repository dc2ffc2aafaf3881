/** A backup or restore that stops on what it found (a corrupt part, a schema mismatch, a full target): what to do is known. */
export class BackupRefusedError extends Error {
  override name = 'BackupRefusedError';
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}
