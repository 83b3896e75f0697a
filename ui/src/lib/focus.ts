// Keeping keyboard focus inside a dialog: Tab from its last control goes to its first, Shift+Tab
// from its first to its last, and focus that has left it comes back.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The controls of `container` a Tab reaches, in order. */
export function focusables(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.hidden);
}

/**
 * Called on Tab (`backwards` with Shift): moves focus itself and returns true when the browser's
 * own move would leave `container`; false when the move stays inside and is left to the browser.
 */
export function keepFocusInside(container: HTMLElement, backwards: boolean): boolean {
  const inside = focusables(container);
  if (inside.length === 0) return false;
  const first = inside[0];
  const last = inside[inside.length - 1];
  const active = document.activeElement;
  const outside = !(active instanceof Node) || !container.contains(active);
  if (outside || (backwards && active === first)) {
    (backwards ? last : first).focus();
    return true;
  }
  if (!backwards && active === last) {
    first.focus();
    return true;
  }
  return false;
}

/**
 * A modal dialog's keys, for `<svelte:window onkeydown>`: Escape calls `onEscape`, Tab and
 * Shift+Tab stay inside `dialog`.
 */
export function modalKeydown(event: KeyboardEvent, dialog: HTMLElement | null, onEscape: () => void): void {
  if (event.key === "Escape") {
    event.preventDefault();
    onEscape();
  } else if (event.key === "Tab" && dialog && keepFocusInside(dialog, event.shiftKey)) {
    event.preventDefault();
  }
}

/**
 * For a dialog's `onMount`: focuses `first` (without scrolling to it when `preventScroll`, so
 * a tall dialog at large text shows its heading first) and returns the clean-up that gives the
 * focus back to what had it, if that is still on the page.
 */
export function focusWhileOpen(first: HTMLElement | null, preventScroll = false): () => void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  first?.focus({ preventScroll });
  return () => {
    if (opener?.isConnected) opener.focus();
  };
}
