// The one way a secret ballot asks for the password again: one dialog at a time, mounted over the
// page while it is asked and removed after.

import { mount, unmount } from "svelte";
import ReconfirmDialog from "./ReconfirmDialog.svelte";
import { confirmed, needsReconfirmation } from "./reconfirm.svelte";

/** The dialog's answer while it is open: a second ask waits for the same one. */
let asking: Promise<boolean> | null = null;
/** Closes the open dialog as its "Hủy" does. */
let cancelOpen: (() => void) | null = null;

/**
 * Resolves `true` when a secret ballot may be cast now: at once when the app is in use, else once
 * the password was given again; `false` when the person cancelled.
 */
export function ensureConfirmed(): Promise<boolean> {
  if (asking) return asking;
  if (!needsReconfirmation()) return Promise.resolve(true);
  asking = new Promise((resolve) => {
    const done = (ok: boolean) => {
      if (ok) confirmed();
      asking = null;
      cancelOpen = null;
      void unmount(dialog);
      resolve(ok);
    };
    const dialog = mount(ReconfirmDialog, { target: document.body, props: { onDone: done } });
    cancelOpen = () => done(false);
  });
  return asking;
}

/** Closes the dialog if it is open, casting nothing: when what asked for it is gone. */
export function cancelReconfirmation() {
  cancelOpen?.();
}
