// Files dropped on (or chosen for) an agenda item, each sent as a new document of it: refused at
// once when it is not a kind the server takes, else read and uploaded, its progress told row by
// row — sending (bytes out of the total), processing (all sent, the server reads and indexes the
// file), then done or failed.

import { uploadDocument, toAppError, type AppError } from "../backend";
import type { Document } from "../protocol/Document";
import { translate } from "../i18n/translate";

/** The kinds of file the server takes: PDF, and Office files it converts to PDF. */
export const ACCEPTED_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp"] as const;

/** For `<input type="file" accept>`. */
export const ACCEPT = ACCEPTED_EXTENSIONS.map((extension) => `.${extension}`).join(",");

export type UploadState = "sending" | "processing" | "done" | "failed";

/** One file's upload as shown in its row; every change is a new value. */
export type Upload = {
  /** Unique while the app runs: the same file dropped twice makes two rows. */
  key: string;
  itemId: number;
  fileName: string;
  /** The document's title: the file's name without its extension. */
  title: string;
  state: UploadState;
  /** Bytes sent of `total`. */
  sent: number;
  total: number;
  /** The document as the server took it, once done. */
  document: Document | null;
  error: AppError | null;
};

/** Hears every new state of every upload of a drop. */
export type UploadReport = (upload: Upload) => void;

let uploadsStarted = 0;

/** The extension after the last dot, lower case; "" when there is none. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot <= 0 ? "" : fileName.slice(dot + 1).toLowerCase();
}

export function isAccepted(fileName: string): boolean {
  return (ACCEPTED_EXTENSIONS as readonly string[]).includes(extensionOf(fileName));
}

/** The name without its extension; the whole name when nothing would be left. */
export function titleOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  const title = dot <= 0 ? fileName : fileName.slice(0, dot);
  return title.trim() === "" ? fileName : title;
}

/** Megabytes with one decimal as the language writes them: "1,5" in Vietnamese, "1.5" in English. */
export function megabytes(bytes: number, locale: "vi" | "en"): string {
  return new Intl.NumberFormat(locale === "vi" ? "vi-VN" : "en-GB", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(bytes / (1024 * 1024));
}

/** Why a file of another kind is not sent, in both languages like the server's own refusals. */
function wrongKind(fileName: string): AppError {
  const params = { file: fileName, kinds: ACCEPTED_EXTENSIONS.map((extension) => `.${extension}`).join(", ") };
  return {
    code: "bad_upload",
    message_vi: translate("vi", "builder.wrongKind", params),
    message_en: translate("en", "builder.wrongKind", params),
    detail: "",
  };
}

/**
 * Uploads each file of `files` as a new document of item `itemId`, all at once, telling `report`
 * every step of each; resolves when every one is done or failed, to their last states. Never
 * rejects: a failure is a row's state.
 */
export async function uploadFiles(itemId: number, files: File[], report: UploadReport): Promise<Upload[]> {
  return Promise.all(files.map((file) => uploadOne(itemId, file, report)));
}

async function uploadOne(itemId: number, file: File, report: UploadReport): Promise<Upload> {
  uploadsStarted += 1;
  let upload: Upload = {
    key: `upload-${uploadsStarted}`,
    itemId,
    fileName: file.name,
    title: titleOf(file.name),
    state: "sending",
    sent: 0,
    total: file.size,
    document: null,
    error: null,
  };
  const tell = (change: Partial<Upload>) => {
    upload = { ...upload, ...change };
    report(upload);
    return upload;
  };
  if (!isAccepted(file.name)) return tell({ state: "failed", error: wrongKind(file.name) });
  report(upload);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const answer = await uploadDocument(itemId, file.name, upload.title, bytes, (sent, total) => {
      // Progress heard after the answer (events are not ordered with it) changes nothing.
      if (upload.state !== "sending") return;
      tell({ sent, total, state: total > 0 && sent >= total ? "processing" : "sending" });
    });
    return tell({ state: "done", sent: upload.total, document: answer.document });
  } catch (reason) {
    return tell({ state: "failed", error: toAppError(reason) });
  }
}
