// @vitest-environment happy-dom
// The secretariat's agenda builder: the items as a numbered tree; adding (top-level or as a
// sub-item), editing and removing (after a confirmation) send the server's commands; the move
// buttons and a dragged row send `move_agenda_item` as the server understands it; the draft is
// published once; the server's refusals are shown where they happened; files dropped on a row
// are uploaded with a row of progress each. The meeting screen offers the builder only to who
// may edit the agenda.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { uploadDocument, type MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { AgendaItem } from "../protocol/AgendaItem";
import type { UploadResponse } from "../protocol/UploadResponse";
import { capabilities, document as documentOf, item, meeting, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import AgendaBuilder from "./AgendaBuilder.svelte";

vi.mock("../backend", async (original) => ({ ...(await original<typeof import("../backend")>()), uploadDocument: vi.fn() }));

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

beforeEach(() => setLocale("vi"));

afterEach(() => {
  cleanUp(component);
  component = null;
  vi.mocked(uploadDocument).mockReset();
});

/** An item placed at `position`, a sub-item of `parent` when given. */
function at(id: number, position: number, parent: number | null = null): AgendaItem {
  return { ...item(id, position), parent, title: `Mục ${id}` };
}

/** 1 (with sub-items 4 and 5), 2, 3: the shape of the server's own tests. */
const FAMILY = [at(1, 0), at(4, 1, 1), at(5, 2, 1), at(2, 3), at(3, 4)];

const secretariat = {
  role: "secretariat" as const,
  user: { id: 2, username: "tk", full_name: "Trần Thị Thư Ký", position: "Thư ký kỳ họp" },
  may: capabilities({ vote: false, edit_agenda: true, upload_documents: true, manage_polls: true, run_meeting: true }),
};

function viewOf(items: AgendaItem[], published = false): MirrorView {
  return mirrorView({ ...secretariat, state: { ...meeting(items), agenda_published: published } });
}

/** Mounts the builder; every `invoke` answered by `answer`. */
function show(view: MirrorView, answer: (command: string) => unknown = () => null) {
  calls = recordCalls(answer);
  const props = liveProps({ view });
  component = mount(AgendaBuilder, { target: document.body, props });
  flushSync();
  return props;
}

/** The commands sent to the server, in order. */
const sent = () => calls.filter((call) => call.command === "send_command").map((call) => (call.args as { command: unknown }).command);

const row = (id: number) => document.querySelector<HTMLElement>(`[data-testid="builder-item"][data-item-id="${id}"]`)!;
const inRow = (id: number, testid: string) => row(id).querySelector<HTMLElement>(`[data-testid="${testid}"]`)!;
const zone = (id: number) => document.querySelector<HTMLElement>(`[data-drop-item="${id}"]`)!;

/** The control a `<label>` with this text names: what a person, or getByLabelText, finds. */
function byLabel(text: string, within: ParentNode = document): HTMLInputElement {
  const label = [...within.querySelectorAll("label")].find((candidate) => candidate.textContent?.trim().startsWith(text));
  if (!label) throw new Error(`no label "${text}"`);
  const named = label.htmlFor ? document.getElementById(label.htmlFor) : label.querySelector("input, textarea, select");
  if (!named) throw new Error(`the label "${text}" names nothing`);
  return named as HTMLInputElement;
}

function type(field: HTMLInputElement, value: string) {
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Waits until `find` finds something, and returns it. */
function found<T>(find: () => T | null | undefined): Promise<T> {
  return vi.waitFor(() => {
    const value = find();
    if (value === null || value === undefined) throw new Error("not there yet");
    return value;
  });
}

describe("the tree", () => {
  it("numbers items 1, 1.1, 1.2, 2 and sets sub-items in", () => {
    show(viewOf(FAMILY));
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="builder-item"]')];
    expect(rows.map((element) => [element.dataset.itemId, element.dataset.number])).toEqual([
      ["1", "1"],
      ["4", "1.1"],
      ["5", "1.2"],
      ["2", "2"],
      ["3", "3"],
    ]);
    expect(inRow(5, "builder-item-title").textContent?.replace(/\s+/g, " ").trim()).toBe("1.2. Mục 5");
    expect(rows.map((element) => element.classList.contains("sub"))).toEqual([false, true, true, false, false]);
  });

  it("says when there is nothing yet", () => {
    show(viewOf([]));
    expect(byTestId("builder-empty")?.textContent).toContain("Chương trình chưa có mục nào");
    expect(byTestId("builder-list")).toBeNull();
  });
});

describe("adding", () => {
  it("sends a top-level item with its description, empties the form and keeps the keyboard on the title", async () => {
    show(viewOf(FAMILY));
    const title = byLabel("Tên mục");
    type(title, "Chất vấn và trả lời chất vấn");
    type(byLabel("Mô tả (không bắt buộc)"), "Đại biểu chất vấn; UBND trả lời.");
    byTestId("builder-add-submit")!.click();
    await vi.waitFor(() =>
      expect(sent()).toEqual([{ kind: "add_agenda_item", title: "Chất vấn và trả lời chất vấn", description: "Đại biểu chất vấn; UBND trả lời." }]),
    );
    await vi.waitFor(() => expect(document.activeElement).toBe(title));
    expect(title.value).toBe("");
    expect(byLabel("Mô tả (không bắt buộc)").value).toBe("");
    expect(byTestId("builder-announcement")!.textContent).toBe("Đã thêm mục «Chất vấn và trả lời chất vấn»");
  });

  it("sends a sub-item of the top-level item chosen, and offers only top-level items as parents", async () => {
    show(viewOf(FAMILY));
    const place = byLabel("Vị trí");
    expect([...place.querySelectorAll("option")].map((option) => option.textContent)).toEqual([
      "Mục chính, ở cuối chương trình",
      "Mục con của 1. Mục 1",
      "Mục con của 2. Mục 2",
      "Mục con của 3. Mục 3",
    ]);
    type(byLabel("Tên mục"), "Báo cáo thẩm tra");
    place.value = "2";
    place.dispatchEvent(new Event("change", { bubbles: true }));
    byTestId("builder-add-submit")!.click();
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "add_agenda_item", title: "Báo cáo thẩm tra", description: "", parent: 2 }]));
  });
});

describe("editing", () => {
  it("edits an item's title and description in its row, then gives the keyboard back to its button", async () => {
    show(viewOf(FAMILY));
    inRow(4, "builder-edit").click();
    flushSync();
    const form = inRow(4, "builder-edit-form");
    const title = byLabel("Tên mục", form);
    await vi.waitFor(() => expect(document.activeElement).toBe(title));
    expect(title.value).toBe("Mục 4");
    type(title, "Tờ trình dự thảo nghị quyết");
    type(byLabel("Mô tả", form), "Do UBND tỉnh trình.");
    inRow(4, "builder-edit-save").click();
    await vi.waitFor(() =>
      expect(sent()).toEqual([{ kind: "edit_agenda_item", item_id: 4, title: "Tờ trình dự thảo nghị quyết", description: "Do UBND tỉnh trình." }]),
    );
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(4, "builder-edit")));
    expect(row(4).querySelector('[data-testid="builder-edit-form"]')).toBeNull();
  });

  it("cancels with Escape without sending anything", async () => {
    show(viewOf(FAMILY));
    inRow(2, "builder-edit").click();
    flushSync();
    const title = byLabel("Tên mục", inRow(2, "builder-edit-form"));
    type(title, "Khác");
    title.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(2, "builder-edit")));
    expect(row(2).querySelector('[data-testid="builder-edit-form"]')).toBeNull();
    expect(sent()).toEqual([]);
  });
});

describe("removing", () => {
  it("asks first, sends the removal once confirmed, then puts the keyboard on the next item", async () => {
    const props = show(viewOf(FAMILY));
    inRow(2, "builder-remove").click();
    flushSync();
    expect(inRow(2, "builder-remove-confirmation").textContent).toContain("Xóa mục 2. «Mục 2» khỏi chương trình?");
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(2, "builder-remove-cancel")));
    expect(sent()).toEqual([]);

    inRow(2, "builder-remove-cancel").click();
    flushSync();
    expect(row(2).querySelector('[data-testid="builder-remove-confirmation"]')).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(2, "builder-remove")));
    expect(sent()).toEqual([]);

    inRow(2, "builder-remove").click();
    flushSync();
    inRow(2, "builder-remove-confirm").click();
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "remove_agenda_item", item_id: 2 }]));

    // The mirror shows item 2 gone; the item that took its place has the keyboard.
    props.view = viewOf([at(1, 0), at(4, 1, 1), at(5, 2, 1), at(3, 3)]);
    flushSync();
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(3, "builder-item-title")));
    expect(byTestId("builder-announcement")!.textContent).toBe("Đã xóa mục «Mục 2»");
  });

  it("cannot be asked for an item with sub-items or documents", () => {
    const withDocument = { ...at(2, 3), documents: [documentOf(9, 2)] };
    show(viewOf([at(1, 0), at(4, 1, 1), at(5, 2, 1), withDocument, at(3, 4)]));
    const disabled = (id: number) => (inRow(id, "builder-remove") as HTMLButtonElement).disabled;
    expect([1, 4, 5, 2, 3].map(disabled)).toEqual([true, false, false, true, false]);
    expect(inRow(2, "builder-documents").textContent).toContain("Tờ trình 9");
  });

  it("shows the server's refusal in the item's row", async () => {
    show(viewOf(FAMILY), (command) =>
      command === "send_command"
        ? Promise.reject({
            code: "invalid_command",
            message_vi: "Không thể xóa nội dung đang thảo luận",
            message_en: "The item under discussion cannot be removed",
            detail: "item 3 is under discussion",
          })
        : null,
    );
    inRow(3, "builder-remove").click();
    flushSync();
    inRow(3, "builder-remove-confirm").click();
    const error = await found(() => row(3).querySelector<HTMLElement>('[data-testid="builder-error"]'));
    expect(error.textContent).toContain("Không thể xóa nội dung đang thảo luận");
    expect(document.querySelectorAll('[data-testid="builder-error"]')).toHaveLength(1);
    // The item stays, and may be tried again.
    expect(row(3).querySelector('[data-testid="builder-remove-confirmation"]')).not.toBeNull();
  });
});

describe("moving with the keyboard", () => {
  const buttons = ["builder-move-up", "builder-move-down", "builder-indent", "builder-outdent"];
  const offered = (id: number) => buttons.map((testid) => !(inRow(id, testid) as HTMLButtonElement).disabled);

  it("names the arrows and offers only the moves the agenda's shape allows", () => {
    show(viewOf(FAMILY));
    expect(buttons.map((testid) => inRow(2, testid).getAttribute("aria-label"))).toEqual([
      "Chuyển lên",
      "Chuyển xuống",
      "Chuyển thành mục con",
      "Chuyển thành mục chính",
    ]);
    expect(buttons.map((testid) => inRow(2, testid).textContent)).toEqual(["↑", "↓", "→", "←"]);
    expect(offered(1)).toEqual([false, true, false, false]);
    expect(offered(4)).toEqual([false, true, false, true]);
    expect(offered(5)).toEqual([true, false, false, true]);
    expect(offered(2)).toEqual([true, true, true, false]);
    expect(offered(3)).toEqual([true, false, true, false]);
  });

  it.each([
    [2, "builder-move-up", { item_id: 2, parent: null, index: 0 }],
    [2, "builder-move-down", { item_id: 2, parent: null, index: 2 }],
    [2, "builder-indent", { item_id: 2, parent: 1, index: 2 }],
    [5, "builder-outdent", { item_id: 5, parent: null, index: 1 }],
    [4, "builder-move-down", { item_id: 4, parent: 1, index: 1 }],
  ])("item %i's %s sends %o", async (id, testid, command) => {
    show(viewOf(FAMILY));
    inRow(id, testid).click();
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "move_agenda_item", ...command }]));
  });

  it("keeps the keyboard on the moved item's button once the mirror shows it, and says its new number", async () => {
    const props = show(viewOf(FAMILY));
    inRow(3, "builder-move-up").focus();
    inRow(3, "builder-move-up").click();
    await vi.waitFor(() => expect(sent()).toHaveLength(1));
    // Nothing is said before the mirror shows the move.
    expect(byTestId("builder-announcement")!.textContent).toBe("");
    props.view = viewOf([at(1, 0), at(4, 1, 1), at(5, 2, 1), at(3, 3), at(2, 4)]);
    flushSync();
    await vi.waitFor(() => expect(byTestId("builder-announcement")!.textContent).toBe("Mục «Mục 3» giờ là mục 2"));
    expect(document.activeElement).toBe(inRow(3, "builder-move-up"));

    // At the top the same arrow is disabled: the other one has the keyboard.
    inRow(3, "builder-move-up").click();
    await vi.waitFor(() => expect(sent()).toHaveLength(2));
    props.view = viewOf([at(3, 0), at(1, 1), at(4, 2, 1), at(5, 3, 1), at(2, 4)]);
    flushSync();
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow(3, "builder-move-down")));
  });
});

describe("dragging a row", () => {
  /** A drag event carrying `types`, at `clientY` over a row 100 px high at the top of the page. */
  function drag(kind: string, target: HTMLElement, clientY = 50, transfer: Partial<DataTransfer> = {}) {
    const event = new Event(kind, { bubbles: true, cancelable: true }) as DragEvent;
    const dataTransfer = { types: [], files: [], dropEffect: "none", effectAllowed: "all", setData: () => {}, setDragImage: () => {}, ...transfer };
    Object.defineProperty(event, "dataTransfer", { value: dataTransfer });
    Object.defineProperty(event, "clientY", { value: clientY });
    target.dispatchEvent(event);
    flushSync();
    return event;
  }

  function rowsAre100pxHigh() {
    for (const element of document.querySelectorAll<HTMLElement>("[data-drop-item]")) {
      element.getBoundingClientRect = () => ({ top: 0, bottom: 100, height: 100, left: 0, right: 300, width: 300, x: 0, y: 0, toJSON: () => ({}) });
    }
  }

  it("shows where the row would land and sends the move on the drop", async () => {
    show(viewOf(FAMILY));
    rowsAre100pxHigh();
    drag("dragstart", inRow(3, "builder-drag-handle"));
    expect(zone(3).classList.contains("dragged")).toBe(true);

    // Over the top of item 2: before it.
    const over = drag("dragover", zone(2), 10);
    expect(over.defaultPrevented).toBe(true);
    expect(zone(2).dataset.dropPlacement).toBe("before");
    expect(zone(2).textContent).toContain("Thả vào trước mục này");
    // Over the middle of item 1: inside it.
    drag("dragover", zone(1), 50);
    expect(zone(1).dataset.dropPlacement).toBe("inside");
    expect(zone(2).dataset.dropPlacement).toBeUndefined();
    expect(zone(1).textContent).toContain("Thả vào làm mục con của mục này");

    drag("drop", zone(2), 10);
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "move_agenda_item", item_id: 3, parent: null, index: 1 }]));
    expect(document.querySelector("[data-drop-placement]")).toBeNull();
    expect(zone(3).classList.contains("dragged")).toBe(false);
  });

  it("drops inside a top-level item as its last sub-item", async () => {
    show(viewOf(FAMILY));
    rowsAre100pxHigh();
    drag("dragstart", inRow(3, "builder-drag-handle"));
    drag("dragover", zone(1), 50);
    drag("drop", zone(1), 50);
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "move_agenda_item", item_id: 3, parent: 1, index: 2 }]));
  });

  it("refuses a drop the agenda's shape does not allow, and sends nothing", () => {
    show(viewOf(FAMILY));
    rowsAre100pxHigh();
    // Item 1 has sub-items: it cannot go inside item 2, nor before a sub-item.
    drag("dragstart", inRow(1, "builder-drag-handle"));
    drag("dragover", zone(3), 10);
    expect(zone(3).dataset.dropPlacement).toBe("before");
    // Just before item 2 is where it is already: nothing to offer.
    drag("dragover", zone(2), 10);
    expect(zone(2).dataset.dropPlacement).toBeUndefined();
    expect(document.querySelector("[data-drop-placement]")).toBeNull();
    const intoSub = drag("dragover", zone(4), 10);
    expect(intoSub.defaultPrevented).toBe(false);
    expect(zone(4).dataset.dropPlacement).toBeUndefined();
    drag("drop", zone(4), 10);
    drag("dragend", inRow(1, "builder-drag-handle"));
    expect(sent()).toEqual([]);
  });
});

describe("publishing", () => {
  it("offers to publish the draft, sends it once, then says it is published", async () => {
    const props = show(viewOf(FAMILY));
    expect(byTestId("agenda-draft")!.textContent).toContain("Chương trình dự kiến — chưa công bố");
    const publish = byTestId("publish-agenda")!;
    expect(publish.textContent?.trim()).toBe("Công bố chương trình");
    publish.focus();
    publish.click();
    await vi.waitFor(() => expect(sent()).toEqual([{ kind: "publish_agenda" }]));

    props.view = viewOf(FAMILY, true);
    flushSync();
    expect(byTestId("publish-agenda")).toBeNull();
    expect(byTestId("agenda-draft")).toBeNull();
    expect(byTestId("agenda-published")!.textContent).toContain("Đã công bố");
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("agenda-published")));
  });

  it("has nothing to publish once published", () => {
    show(viewOf(FAMILY, true));
    expect(byTestId("publish-agenda")).toBeNull();
    expect(byTestId("agenda-published")).not.toBeNull();
  });

  it("shows the server's refusal beside the button", async () => {
    show(viewOf(FAMILY), () => Promise.reject({ code: "forbidden", message_vi: "Bạn không có quyền thực hiện thao tác này", message_en: "", detail: "" }));
    byTestId("publish-agenda")!.click();
    const error = await found(() => byTestId("agenda-draft")?.querySelector<HTMLElement>('[data-testid="builder-error"]'));
    expect(error.textContent).toContain("Bạn không có quyền thực hiện thao tác này");
  });
});

describe("files dropped on an item", () => {
  function dropFiles(target: HTMLElement, files: File[]) {
    const transfer = { types: ["Files"], files, dropEffect: "none" };
    for (const kind of ["dragover", "drop"]) {
      const event = new Event(kind, { bubbles: true, cancelable: true });
      Object.defineProperty(event, "dataTransfer", { value: transfer });
      target.dispatchEvent(event);
      flushSync();
      if (kind === "dragover") {
        expect(event.defaultPrevented).toBe(true);
        expect(transfer.dropEffect).toBe("copy");
      }
    }
  }

  const upload = (name: string) => document.querySelector<HTMLElement>(`[data-upload-file="${name}"]`);

  it("uploads each to the item with a progress row: sending, processing, then added", async () => {
    let progress: (sent: number, total: number) => void = () => {};
    let answer: (response: UploadResponse) => void = () => {};
    vi.mocked(uploadDocument).mockImplementation((_item, _name, _title, _bytes, onProgress) => {
      progress = onProgress;
      return new Promise((resolve) => (answer = resolve));
    });
    show(viewOf(FAMILY));
    const file = new File([new Uint8Array(3 * 1024 * 1024)], "Tờ trình 12.pdf", { type: "application/pdf" });
    dropFiles(zone(4), [file, new File(["x"], "anh.png")]);

    await vi.waitFor(() => expect(uploadDocument).toHaveBeenCalledTimes(1));
    expect(vi.mocked(uploadDocument).mock.calls[0].slice(0, 3)).toEqual([4, "Tờ trình 12.pdf", "Tờ trình 12"]);
    const refused = upload("anh.png")!;
    expect(refused.dataset.state).toBe("failed");
    expect(refused.closest("[data-item-id]")).toBe(row(4));
    expect(refused.textContent).toContain("Tệp «anh.png» không được gửi");

    progress(1024 * 1024, 3 * 1024 * 1024);
    flushSync();
    expect(upload("Tờ trình 12.pdf")!.dataset.state).toBe("sending");
    expect(upload("Tờ trình 12.pdf")!.textContent).toContain("Đang gửi 1,0/3,0 MB");
    const bar = upload("Tờ trình 12.pdf")!.querySelector("progress")!;
    expect([bar.value, bar.max]).toEqual([1024 * 1024, 3 * 1024 * 1024]);

    progress(3 * 1024 * 1024, 3 * 1024 * 1024);
    flushSync();
    expect(upload("Tờ trình 12.pdf")!.dataset.state).toBe("processing");
    expect(upload("Tờ trình 12.pdf")!.textContent).toContain("Đang xử lý tệp…");

    answer({ document: { ...documentOf(30, 4), title: "Tờ trình 12" }, seq: 20, unchanged: false });
    await vi.waitFor(() => expect(upload("Tờ trình 12.pdf")!.dataset.state).toBe("done"));
    expect(upload("Tờ trình 12.pdf")!.textContent).toContain("Đã thêm: Tờ trình 12");
  });

  it("shows the server's refusal of a file in its row", async () => {
    vi.mocked(uploadDocument).mockRejectedValue({
      code: "office_conversion_unavailable",
      message_vi: "Tệp Word/Excel cần chuyển sang PDF nhưng máy chủ chưa cài LibreOffice; hãy gửi bản PDF",
      message_en: "",
      detail: "",
    });
    show(viewOf(FAMILY));
    dropFiles(zone(2), [new File(["x"], "Bảng số liệu.xlsx")]);
    await vi.waitFor(() => expect(upload("Bảng số liệu.xlsx")?.dataset.state).toBe("failed"));
    expect(upload("Bảng số liệu.xlsx")!.textContent).toContain("máy chủ chưa cài LibreOffice");
  });

  it("uploads files chosen with the item's button, for the keyboard", async () => {
    vi.mocked(uploadDocument).mockResolvedValue({ document: { ...documentOf(31, 3), title: "Giấy mời" }, seq: 21, unchanged: false });
    show(viewOf(FAMILY));
    const input = inRow(3, "builder-file-input") as HTMLInputElement;
    expect(input.accept).toBe(".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp");
    expect(input.multiple).toBe(true);
    let opened = false;
    input.addEventListener("click", () => (opened = true));
    inRow(3, "builder-choose-files").click();
    expect(opened).toBe(true);

    Object.defineProperty(input, "files", { value: [new File(["x"], "Giấy mời.docx")], configurable: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(upload("Giấy mời.docx")?.dataset.state).toBe("done"));
    expect(vi.mocked(uploadDocument).mock.calls[0].slice(0, 3)).toEqual([3, "Giấy mời.docx", "Giấy mời"]);
  });
});

describe("on the meeting screen", () => {
  function screen(view: MirrorView) {
    calls = recordCalls(() => null);
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
  }

  it("opens the builder in place of the item for who may edit the agenda, and closes it when an item is chosen", async () => {
    screen(viewOf(FAMILY));
    const toggle = byTestId("open-agenda-builder")!;
    expect(toggle.textContent).toContain("Soạn chương trình");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(byTestId("agenda-builder")).toBeNull();
    toggle.click();
    flushSync();
    expect(byTestId("agenda-builder")).not.toBeNull();
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    await vi.waitFor(() => expect(document.activeElement?.id).toBe("builder-heading"));
    // The agenda beside it numbers sub-items too.
    const numbers = [...document.querySelectorAll('[data-testid="agenda-item"] .number')].map((element) => element.textContent);
    expect(numbers).toEqual(["1.", "1.1.", "1.2.", "2.", "3."]);

    document.querySelector<HTMLElement>('[data-testid="agenda-item"][data-item-id="2"]')!.click();
    flushSync();
    expect(byTestId("agenda-builder")).toBeNull();
  });

  it("offers no builder to a councillor", () => {
    screen(mirrorView({ state: meeting(FAMILY) }));
    expect(byTestId("open-agenda-builder")).toBeNull();
    expect(byTestId("agenda-builder")).toBeNull();
  });
});
