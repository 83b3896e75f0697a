// Looking up a message and filling in its `{name}` placeholders; pure, so it is tested directly.

import { en } from "./en";
import { vi, type MessageKey, type Messages } from "./vi";

export type Locale = "vi" | "en";

export const LOCALES: readonly Locale[] = ["vi", "en"];

export const DEFAULT_LOCALE: Locale = "vi";

export const MESSAGES: Readonly<Record<Locale, Messages>> = { vi, en };

export type Params = Readonly<Record<string, string | number>>;

/** Names of the placeholders in a template, e.g. `["page", "count"]` for "Trang {page} / {count}". */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}

/** The message `key` in `locale`; a placeholder without a value stays visible as `{name}`. */
export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  return MESSAGES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Reads a stored locale, falling back to Vietnamese for anything unknown. */
export function parseLocale(stored: string | null | undefined): Locale {
  return LOCALES.find((locale) => locale === stored) ?? DEFAULT_LOCALE;
}

export function otherLocale(locale: Locale): Locale {
  return locale === "vi" ? "en" : "vi";
}
