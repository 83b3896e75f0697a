// @vitest-environment happy-dom
// A councillor's written opinion from the item view: sent once with the item, the chosen document
// and the text trimmed; a blank draft is not sent and says why; a refusal is shown where it
// happened and the draft kept; a retry keeps the same id; their own opinions are listed below.

import { mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import ItemDetail from "../agenda/ItemDetail.svelte";
import type { AppError, MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { OpinionRequest } from "../protocol/OpinionRequest";
import type { OpinionView } from "../protocol/OpinionView";
import { document as doc, item, meeting, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, type Calls } from "../testing/tauri";
import { forgetDrafts } from "./drafts.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
  forgetDrafts();
});

const state = meeting([item(1, 0, [doc(11, 1)]), item(2, 1, [doc(21, 2), doc(22, 2)])]);
const view: MirrorView = mirrorView({ state });
const other = { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" };
/** 08:30 on 1 December 2026, Vietnam time. */
const MORNING = Date.parse("2026-12-01T01:30:00Z") / 1000;

/** What the server keeps of `request`, sent by the viewer. */
function kept(request: OpinionRequest, id = 40): OpinionView {
  return { id, user: view.user, item_id: request.item_id, document_id: request.document_id, text: request.text, sent_at: MORNING };
}

/** Answers every command with `handler` and records it. */
function serve(handler: (command: string, args: Record<string, unknown>) => unknown = () => null) {
  calls = [];
  mockIPC((command, args) => {
    calls.push({ command, args });
    return handler(command, args as Record<string, unknown>);
  });
}

/** The requests sent, in order. */
const sentRequests = () =>
  calls.filter((call) => call.command === "send_opinion").map((call) => (call.args as { request: OpinionRequest }).request);

/** Shows item 2 as the delegate sees it. */
function show(itemIndex = 1) {
  setLocale("vi");
  component = mount(ItemDetail, {
    target: document.body,
    props: { item: state.items[itemIndex], meeting: state, view, onOpenDocument: () => {} },
  });
  flushSync();
}

const textArea = () => byTestId("opinion-text") as HTMLTextAreaElement;

function write(text: string) {
  textArea().value = text;
  textArea().dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function chooseDocument(value: string) {
  const select = byTestId("opinion-document") as HTMLSelectElement;
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

const refused: AppError = {
  code: "invalid_command",
  message_vi: "Góp ý không được dài quá 10 000 ký tự",
  message_en: "An opinion may not be longer than 10 000 characters",
  detail: "",
};

describe("writing an opinion", () => {
  it("is labelled, offers the item's documents or the whole item, and counts the characters", () => {
    serve(() => []);
    show();
    const form = byTestId("opinion-form")!;
    expect(form.querySelector("h3")!.textContent).toBe("Góp ý");
    const label = form.querySelector<HTMLLabelElement>(`label[for="${textArea().id}"]`)!;
    expect(label.textContent).toBe("Góp ý của bạn về nội dung này");
    const select = byTestId("opinion-document") as HTMLSelectElement;
    expect(form.querySelector(`label[for="${select.id}"]`)!.textContent).toBe("Về tài liệu");
    expect([...select.options].map((option) => [option.value, option.textContent])).toEqual([
      ["", "Cả nội dung"],
      ["21", "Tờ trình 21"],
      ["22", "Tờ trình 22"],
    ]);
    const count = byTestId("opinion-count")!;
    expect(textArea().getAttribute("aria-describedby")).toContain(count.id);
    expect(count.textContent?.trim()).toBe("0 / 10.000 ký tự");
    write("  Đề nghị  ");
    expect(count.textContent?.trim()).toBe("7 / 10.000 ký tự");
  });

  it("sends the item, the chosen document and the text trimmed, once on a double press, and clears the draft", async () => {
    let answer!: (opinion: OpinionView) => void;
    serve((command, args) => {
      if (command === "list_opinions") return [];
      if (command === "send_opinion") {
        const request = (args as { request: OpinionRequest }).request;
        return new Promise<OpinionView>((resolve) => (answer = () => resolve(kept(request))));
      }
      return null;
    });
    show();
    write("  Đề nghị làm rõ nguồn vốn.\nThứ hai: tiến độ.  \n");
    chooseDocument("22");
    const send = byTestId("opinion-send") as HTMLButtonElement;
    send.click();
    send.click();
    flushSync();
    expect(send.disabled).toBe(true);
    send.click();

    const requests = sentRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      item_id: 2,
      document_id: 22,
      text: "Đề nghị làm rõ nguồn vốn.\nThứ hai: tiến độ.",
    });

    answer(kept(requests[0]));
    const sent = await vi.waitFor(() => {
      const note = byTestId("opinion-sent");
      if (!note) throw new Error("not sent yet");
      return note;
    });
    expect(sent.textContent).toContain("Đã gửi góp ý");
    expect(sent.closest('[role="status"]')).not.toBeNull();
    expect(textArea().value).toBe("");
    expect((byTestId("opinion-document") as HTMLSelectElement).value).toBe("");
    expect(byTestId("opinion-error")).toBeNull();
    // The opinion just sent is listed at once as the person's own, with the document it is about.
    const mine = [...document.querySelectorAll<HTMLElement>('[data-testid="my-opinion"]')];
    expect(mine.map((entry) => entry.dataset.documentId)).toEqual(["22"]);
    expect(mine[0].textContent).toContain("08:30 01/12");
    expect(mine[0].textContent).toContain("Về tài liệu: Tờ trình 22");
    expect(sentRequests()).toHaveLength(1);
  });

  it("sends an opinion on the whole item without a document", async () => {
    serve((command, args) =>
      command === "send_opinion" ? kept((args as { request: OpinionRequest }).request) : command === "list_opinions" ? [] : null,
    );
    show();
    write("Tán thành với tờ trình");
    byTestId("opinion-send")!.click();
    await vi.waitFor(() => expect(byTestId("opinion-sent")).not.toBeNull());
    expect(sentRequests()).toEqual([{ id: expect.any(String), item_id: 2, document_id: null, text: "Tán thành với tờ trình" }]);
  });

  it("does not send a blank draft and says why, by the text box", () => {
    serve(() => []);
    show();
    write(" \n\t ");
    byTestId("opinion-send")!.click();
    flushSync();
    expect(sentRequests()).toEqual([]);
    const problem = byTestId("opinion-problem")!;
    expect(problem.dataset.problem).toBe("blank");
    expect(problem.textContent).toContain("hãy viết góp ý");
    expect(problem.getAttribute("role")).toBe("alert");
    expect(textArea().getAttribute("aria-invalid")).toBe("true");
    expect(textArea().getAttribute("aria-describedby")).toContain(problem.id);
    expect(document.activeElement).toBe(textArea());
    expect(byTestId("opinion-sent")).toBeNull();
    // Writing clears the reproach.
    write("Có ý kiến");
    expect(byTestId("opinion-problem")).toBeNull();
  });

  it("does not send a draft over 10 000 characters and says the limit", () => {
    serve(() => []);
    show();
    write("a".repeat(10_001));
    expect(byTestId("opinion-count")!.classList.contains("over")).toBe(true);
    byTestId("opinion-send")!.click();
    flushSync();
    expect(sentRequests()).toEqual([]);
    expect(byTestId("opinion-problem")!.textContent).toContain("10.000 ký tự");
  });

  it("shows the server's refusal where it happened and keeps the draft", async () => {
    serve((command) => {
      if (command === "send_opinion") throw refused;
      return command === "list_opinions" ? [] : null;
    });
    show();
    write("Ý kiến dài");
    byTestId("opinion-send")!.click();
    const error = await vi.waitFor(() => {
      const notice = byTestId("opinion-error");
      if (!notice) throw new Error("not refused yet");
      return notice;
    });
    expect(error.dataset.errorCode).toBe("invalid_command");
    expect(error.textContent).toContain("Góp ý không được dài quá 10 000 ký tự");
    expect(byTestId("opinion-form")!.contains(error)).toBe(true);
    expect(textArea().value).toBe("Ý kiến dài");
    expect(byTestId("opinion-sent")).toBeNull();
    expect((byTestId("opinion-send") as HTMLButtonElement).disabled).toBe(false);
  });

  it("retries a failed send with the same id, and a new draft gets a new one", async () => {
    let failNext = true;
    serve((command, args) => {
      if (command === "list_opinions") return [];
      if (command !== "send_opinion") return null;
      if (failNext) {
        failNext = false;
        throw { code: "server_unreachable", message_vi: "Không kết nối được máy chủ", message_en: "Server unreachable", detail: "" };
      }
      return kept((args as { request: OpinionRequest }).request);
    });
    show();
    write("Đề nghị bổ sung số liệu");
    byTestId("opinion-send")!.click();
    await vi.waitFor(() => expect(byTestId("opinion-error")).not.toBeNull());
    byTestId("opinion-send")!.click();
    await vi.waitFor(() => expect(byTestId("opinion-sent")).not.toBeNull());
    expect(byTestId("opinion-error")).toBeNull();

    write("Một góp ý khác");
    byTestId("opinion-send")!.click();
    await vi.waitFor(() => expect(sentRequests()).toHaveLength(3));
    const [first, retry, next] = sentRequests();
    expect(retry).toEqual(first);
    expect(next.id).not.toBe(first.id);
  });

  it("keeps an unsent draft while another item is looked at", () => {
    serve(() => []);
    show();
    write("Đang viết dở");
    chooseDocument("21");
    unmount(component!);
    show(0);
    expect(textArea().value).toBe("");
    unmount(component!);
    show();
    expect(textArea().value).toBe("Đang viết dở");
    expect((byTestId("opinion-document") as HTMLSelectElement).value).toBe("21");
  });
});

describe("the person's own opinions", () => {
  it("lists those on this item only, newest first, with their time and document", async () => {
    serve((command) =>
      command === "list_opinions"
        ? [
            { id: 1, user: view.user, item_id: 2, document_id: 21, text: "Thứ nhất.\nThứ hai.", sent_at: MORNING },
            { id: 2, user: view.user, item_id: 1, document_id: null, text: "Nội dung khác", sent_at: MORNING + 60 },
            { id: 3, user: other, item_id: 2, document_id: null, text: "Của người khác", sent_at: MORNING + 120 },
            { id: 4, user: view.user, item_id: 2, document_id: null, text: "Sau đó", sent_at: MORNING + 3600 },
          ]
        : null,
    );
    show();
    const list = await vi.waitFor(() => {
      const found = byTestId("my-opinions");
      if (!found) throw new Error("not listed yet");
      return found;
    });
    expect(list.querySelector("h4")!.textContent).toBe("Góp ý của bạn");
    const entries = [...list.querySelectorAll<HTMLElement>('[data-testid="my-opinion"]')];
    expect(entries.map((entry) => entry.dataset.opinionId)).toEqual(["4", "1"]);
    expect(entries[0].textContent).toContain("09:30 01/12");
    expect(entries[1].textContent).toContain("Về tài liệu: Tờ trình 21");
    expect(entries[1].querySelector(".text")!.textContent).toBe("Thứ nhất.\nThứ hai.");
  });
});

describe("when the list of sent opinions cannot be had", () => {
  it("says so quietly and still offers the form", async () => {
    serve((command) => {
      if (command === "list_opinions") throw { code: "offline", message_vi: "", message_en: "", detail: "" };
      return null;
    });
    show();
    await vi.waitFor(() => expect(byTestId("my-opinions-unavailable")).not.toBeNull());
    expect(byTestId("opinion-form")).not.toBeNull();
    expect(byTestId("opinion-error")).toBeNull();
  });
});

describe("asking for the sent opinions", () => {
  it("happens once per item shown and again when the link comes back, not on every change of the meeting", async () => {
    serve((command) => (command === "list_opinions" ? [] : null));
    setLocale("vi");
    const props = liveProps({ item: state.items[1], meeting: state, view, onOpenDocument: () => {} });
    component = mount(ItemDetail, { target: document.body, props });
    flushSync();
    const asked = () => calls.filter((call) => call.command === "list_opinions").length;
    await vi.waitFor(() => expect(asked()).toBe(1));
    props.view = { ...view, seq: view.seq + 1 };
    flushSync();
    props.view = { ...view, seq: view.seq + 2, connection: "offline" };
    flushSync();
    expect(asked()).toBe(1);
    props.view = { ...view, seq: view.seq + 3, connection: "online" };
    flushSync();
    await vi.waitFor(() => expect(asked()).toBe(2));
  });
});
