/**
 * A test may skip where a developer lacks a tool, never in CI: `make test` ran `make setup` there, so a
 * missing tool is a failure to see, not a skip to hide (scripts/test-summary.ts counts CI skips as failed).
 */
export const skipReasonUnlessCi = (reason: string | null): string | null => (process.env['CI'] ? null : reason);
