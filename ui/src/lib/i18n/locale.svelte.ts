// The current language, shared by every component and remembered across starts in localStorage.

import type { MessageKey } from "./vi";
import { DEFAULT_LOCALE, otherLocale, parseLocale, translate, type Locale, type Params } from "./translate";

const STORAGE_KEY = "phonghop.locale";

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    // Storage can be refused (private mode, sandbox); the app then simply starts in Vietnamese.
    return null;
  }
}

const initial = parseLocale(storage()?.getItem(STORAGE_KEY) ?? DEFAULT_LOCALE);
let current = $state<Locale>(initial);
markDocumentLanguage(initial);

/** Screen readers and hyphenation follow `<html lang>`. */
function markDocumentLanguage(language: Locale): void {
  if (typeof document !== "undefined") {
    document.documentElement.lang = language;
  }
}

/** The current language; reading it inside a component makes the component follow changes. */
export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  current = next;
  storage()?.setItem(STORAGE_KEY, next);
  markDocumentLanguage(next);
}

export function toggleLocale(): void {
  setLocale(otherLocale(current));
}

/** The message `key` in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}
