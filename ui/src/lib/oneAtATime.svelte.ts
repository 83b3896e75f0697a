// One action at a time, and the error of the last one: for panels whose buttons send commands,
// so a double press sends once and a refusal is shown where it happened.

import { toAppError, type AppError } from "./backend";

export class OneAtATime {
  /** An action is under way: its buttons are disabled. */
  busy = $state(false);
  /** Why the last action failed; cleared when the next starts. */
  error = $state<AppError | null>(null);

  /** Runs `action` unless one is under way; a failure is kept in `error`, not thrown. */
  async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (reason) {
      this.error = toAppError(reason);
    } finally {
      this.busy = false;
    }
  }
}
