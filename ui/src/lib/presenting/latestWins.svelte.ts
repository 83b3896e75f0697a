// Commands where only the latest counts, like the pages a presenter turns: one is sent at a time,
// and of those asked for meanwhile only the last is sent after it, so quick paging ends on the
// page the presenter stopped at, never on one dropped or sent out of order.

import { toAppError, type AppError } from "../backend";

export class LatestWins {
  /** A command is under way. */
  busy = $state(false);
  /** Why the last command failed; cleared when the next starts. */
  error = $state<AppError | null>(null);

  #pending: (() => Promise<void>) | null = null;

  /** Sends `action` now, or after the one under way, in place of any other still waiting. */
  async run(action: () => Promise<void>): Promise<void> {
    this.#pending = action;
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.#pending) {
        const next = this.#pending;
        this.#pending = null;
        this.error = null;
        try {
          await next();
        } catch (reason) {
          this.error = toAppError(reason);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
