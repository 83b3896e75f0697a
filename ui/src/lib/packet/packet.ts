// What the meeting packet's progress says to a councillor: the sentence for its state and sizes
// written the way people read them (megabytes with one decimal, in the reader's language).

import type { PacketView } from "../app-views/PacketView";
import type { MessageKey } from "../i18n/vi";
import type { Locale, Params } from "../i18n/translate";

/** Bytes as a person reads them: "12,4 MB" in Vietnamese, "12.4 MB" in English. */
export function formatBytes(bytes: number, locale: Locale): string {
  const language = locale === "vi" ? "vi-VN" : "en-GB";
  if (bytes < 1024 * 1024) {
    const kilobytes = Math.max(1, Math.round(bytes / 1024));
    return `${kilobytes.toLocaleString(language)} KB`;
  }
  const megabytes = bytes / (1024 * 1024);
  return `${megabytes.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}

/** The message and its values for the packet's line. */
export function packetLine(view: PacketView, locale: Locale): { key: MessageKey; params: Params } {
  const params: Params = {
    done: view.files_done,
    total: view.files_total,
    bytesDone: formatBytes(view.bytes_done, locale),
    bytesTotal: formatBytes(view.bytes_total, locale),
    failed: view.failed.length,
  };
  switch (view.state) {
    case "downloading":
      return { key: "packet.downloading", params };
    case "waiting_for_server":
      return { key: "packet.waiting", params };
    case "incomplete":
      return { key: "packet.incomplete", params };
    case "complete":
      return { key: view.files_total === 0 ? "packet.empty" : "packet.complete", params };
  }
}

/** The bar's fill, 0 to 1; a packet of no bytes is full. */
export function packetFraction(view: PacketView): number {
  if (view.bytes_total <= 0) return 1;
  return Math.min(1, view.bytes_done / view.bytes_total);
}
