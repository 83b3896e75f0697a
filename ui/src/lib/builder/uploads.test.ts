// Files dropped on an agenda item: a file of another kind is refused before anything is sent;
// each other file is read and uploaded under its name without extension, its row going from
// sending (bytes of the total) to processing (all sent, the server reads the file) to done, or
// failed with the server's own words.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError } from "../backend";
import { uploadDocument } from "../backend";
import type { UploadResponse } from "../protocol/UploadResponse";
import { document } from "../testing/fixtures";
import { ACCEPT, isAccepted, megabytes, titleOf, uploadFiles, type Upload } from "./uploads";

vi.mock("../backend", async (original) => ({ ...(await original<typeof import("../backend")>()), uploadDocument: vi.fn() }));

const upload = vi.mocked(uploadDocument);

/** One call of `uploadDocument` held open: the test moves its progress and answers it. */
type Held = {
  itemId: number;
  fileName: string;
  title: string;
  bytes: Uint8Array;
  progress: (sent: number, total: number) => void;
  answer: (response: UploadResponse) => void;
  fail: (reason: unknown) => void;
};

let held: Held[] = [];

beforeEach(() => {
  held = [];
  upload.mockImplementation(
    (itemId, fileName, title, bytes, progress) =>
      new Promise<UploadResponse>((answer, fail) => held.push({ itemId, fileName, title, bytes, progress, answer, fail })),
  );
});

afterEach(() => {
  upload.mockReset();
});

/** Every state each file was reported in, by file name. */
function recorder() {
  const states = new Map<string, string[]>();
  const last = new Map<string, Upload>();
  const report = (reported: Upload) => {
    states.set(reported.fileName, [...(states.get(reported.fileName) ?? []), reported.state]);
    last.set(reported.fileName, reported);
  };
  return { report, states, last };
}

const pdf = (name: string, size = 3000) => new File([new Uint8Array(size).fill(7)], name, { type: "application/pdf" });

const added = (id: number, title: string): UploadResponse => ({ document: { ...document(id, 2), title }, seq: 12, unchanged: false });

describe("uploading files dropped on an item", () => {
  it("reports sending with the bytes sent, then processing once all are sent, then done", async () => {
    const { report, states, last } = recorder();
    const finished = uploadFiles(2, [pdf("Dự thảo nghị quyết.pdf", 3000)], report);

    await vi.waitFor(() => expect(held).toHaveLength(1));
    const call = held[0];
    expect([call.itemId, call.fileName, call.title]).toEqual([2, "Dự thảo nghị quyết.pdf", "Dự thảo nghị quyết"]);
    expect(call.bytes).toEqual(new Uint8Array(3000).fill(7));
    expect(last.get("Dự thảo nghị quyết.pdf")).toMatchObject({ state: "sending", sent: 0, total: 3000 });

    call.progress(1000, 3000);
    expect(last.get("Dự thảo nghị quyết.pdf")).toMatchObject({ state: "sending", sent: 1000, total: 3000 });
    call.progress(3000, 3000);
    expect(last.get("Dự thảo nghị quyết.pdf")).toMatchObject({ state: "processing", sent: 3000 });

    call.answer(added(41, "Dự thảo nghị quyết"));
    const [result] = await finished;
    expect(result).toMatchObject({ state: "done", itemId: 2, error: null });
    expect(result.document?.id).toBe(41);
    expect(states.get("Dự thảo nghị quyết.pdf")).toEqual(["sending", "sending", "processing", "done"]);
  });

  it("ignores progress heard after the answer", async () => {
    const { report, last } = recorder();
    const finished = uploadFiles(2, [pdf("a.pdf")], report);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    held[0].answer(added(5, "a"));
    await finished;
    held[0].progress(3000, 3000);
    expect(last.get("a.pdf")?.state).toBe("done");
  });

  it("refuses a file of another kind without sending it, in both languages, and sends the others", async () => {
    const { report, states, last } = recorder();
    const finished = uploadFiles(3, [pdf("cai-dat.exe"), pdf("ghi chu"), pdf("Báo cáo.DOCX")], report);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    expect(held[0].fileName).toBe("Báo cáo.DOCX");
    held[0].answer(added(6, "Báo cáo"));
    await finished;

    expect(upload).toHaveBeenCalledTimes(1);
    expect(states.get("cai-dat.exe")).toEqual(["failed"]);
    const error = last.get("cai-dat.exe")!.error!;
    expect(error.code).toBe("bad_upload");
    expect(error.message_vi).toContain("«cai-dat.exe» không được gửi");
    expect(error.message_vi).toContain(".pdf, .doc, .docx");
    expect(error.message_en).toContain("“cai-dat.exe” was not sent");
    expect(last.get("ghi chu")?.state).toBe("failed");
    expect(last.get("Báo cáo.DOCX")?.state).toBe("done");
  });

  it("shows the server's refusal as the row's error", async () => {
    const { report, last } = recorder();
    const finished = uploadFiles(2, [pdf("mat-khau.pdf")], report);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const refusal: AppError = {
      code: "encrypted_document",
      message_vi: "Tài liệu được đặt mật khẩu, hãy gửi bản không mật khẩu",
      message_en: "The document is password-protected; please send it without a password",
      detail: "",
    };
    held[0].progress(3000, 3000);
    held[0].fail(refusal);
    const [result] = await finished;
    expect(result.state).toBe("failed");
    expect(result.error).toEqual(refusal);
    expect(last.get("mat-khau.pdf")).toEqual(result);
  });

  it("turns a failure that is no app error into one, never a rejection", async () => {
    const { report } = recorder();
    const finished = uploadFiles(2, [pdf("a.pdf")], report);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    held[0].fail(new Error("the webview lost the invoke"));
    const [result] = await finished;
    expect(result.error).toMatchObject({ code: "unexpected", detail: "the webview lost the invoke" });
  });

  it("sends several files at once, each in a row of its own", async () => {
    const { report, last } = recorder();
    const finished = uploadFiles(2, [pdf("a.pdf"), pdf("a.pdf"), pdf("b.pptx")], report);
    await vi.waitFor(() => expect(held).toHaveLength(3));
    held[2].progress(1500, 3000);
    expect(last.get("b.pptx")?.state).toBe("sending");
    held.forEach((call, index) => call.answer(added(10 + index, call.title)));
    const results = await finished;
    expect(results.map((result) => result.state)).toEqual(["done", "done", "done"]);
    expect(new Set(results.map((result) => result.key)).size).toBe(3);
  });
});

describe("what a file is", () => {
  it.each([
    ["to-trinh.pdf", true],
    ["TO-TRINH.PDF", true],
    ["bang.xlsx", true],
    ["bang.xls", true],
    ["slide.ppt", true],
    ["van-ban.odt", true],
    ["van-ban.doc", true],
    ["anh.png", false],
    ["pdf", false],
    [".pdf", false],
    ["to-trinh.pdf.exe", false],
  ])("%s is accepted: %s", (name, accepted) => {
    expect(isAccepted(name)).toBe(accepted);
  });

  it("offers the same kinds to the file chooser", () => {
    expect(ACCEPT).toBe(".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp");
  });

  it("takes the title from the name without its extension", () => {
    expect(titleOf("Tờ trình số 12.2025.pdf")).toBe("Tờ trình số 12.2025");
    expect(titleOf("Giấy mời")).toBe("Giấy mời");
    expect(titleOf(".pdf")).toBe(".pdf");
  });

  it("writes megabytes as each language does", () => {
    expect(megabytes(1.5 * 1024 * 1024, "vi")).toBe("1,5");
    expect(megabytes(1.5 * 1024 * 1024, "en")).toBe("1.5");
    expect(megabytes(0, "vi")).toBe("0,0");
  });
});
