// Turning an AppError into the sentence a councillor reads: the backend's own message in the
// current language, or a plain generic sentence when the backend gave none.

import type { AppError } from "./backend";
import { translate, type Locale } from "./i18n/translate";

export function errorText(error: AppError, locale: Locale): string {
  const message = locale === "vi" ? error.message_vi : error.message_en;
  return message.trim() !== "" ? message : translate(locale, "error.generic");
}
