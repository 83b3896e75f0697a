// High contrast: black text on white, darker colours, black borders and a thicker focus ring, for
// councillors who see poorly or sit in a bright hall. Remembered across starts like the text size;
// app.css holds the palette under `:root[data-contrast="high"]`, so setting that attribute on
// <html> is all it takes.

const STORAGE_KEY = "phonghop.contrast";

export type Contrast = "normal" | "high";

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

/** Reads a stored choice; anything but "high" is the normal look. */
export function parseContrast(text: string | null | undefined): Contrast {
  return text === "high" ? "high" : "normal";
}

const stored = parseContrast(storage()?.getItem(STORAGE_KEY));
let current = $state(stored);
apply(stored);

function apply(value: Contrast): void {
  if (typeof document === "undefined") return;
  const root = document.documentElement;
  if (value === "high") root.dataset.contrast = "high";
  else delete root.dataset.contrast;
}

/** The current look; reading it inside a component makes it follow changes. */
export function contrast(): Contrast {
  return current;
}

export function highContrast(): boolean {
  return current === "high";
}

export function setContrast(value: Contrast): void {
  current = parseContrast(value);
  try {
    storage()?.setItem(STORAGE_KEY, current);
  } catch {
    // A full or locked storage only means the choice is not remembered.
  }
  apply(current);
}

export function toggleContrast(): void {
  setContrast(current === "high" ? "normal" : "high");
}
