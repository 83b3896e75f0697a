// @vitest-environment happy-dom
// The secretariat's members panel: the members and their roles from the server, a role changed,
// an account added, and a councillors file previewed line by line — nothing saved while a line
// has a problem, a good file committed with the new accounts' password, a whole file refused.

import { mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { AttendanceView } from "../protocol/AttendanceView";
import type { ImportMembersRequest } from "../protocol/ImportMembersRequest";
import type { ImportMembersResponse } from "../protocol/ImportMembersResponse";
import type { ImportRow } from "../protocol/ImportRow";
import type { MemberAttendance } from "../protocol/MemberAttendance";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import { capabilities, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, type Calls } from "../testing/tauri";
import MembersPanel from "./MembersPanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
});

const secretariat: MirrorView = mirrorView({
  role: "secretariat",
  user: { id: 9, username: "tk", full_name: "Phạm Thư Ký", position: "Thư ký kỳ họp" },
  may: capabilities({ vote: false, manage_members: true, mark_attendance: true, run_meeting: true }),
});

function member(id: number, username: string, fullName: string, role: MemberAttendance["role"]): MemberAttendance {
  return { user: { id, username, full_name: fullName, position: "Đại biểu HĐND" }, role, status: null, reason: "" };
}

const listed = (members: MemberAttendance[]): AttendanceView => ({
  members,
  quorum: { voting_members: members.length, present: 0, quorum: null, needed: 0, reached: true },
});

const ba = member(3, "db003", "Nguyễn Văn Ba", "delegate");
const tk = member(9, "tk", "Phạm Thư Ký", "secretariat");

function row(line: number, overrides: Partial<ImportRow> = {}): ImportRow {
  return {
    line,
    username: `db10${line}`,
    full_name: `Đại biểu ${line}`,
    position: "Đại biểu HĐND",
    role: "delegate",
    outcome: "new_account",
    problem: null,
    existing_name: null,
    ...overrides,
  };
}

/** A file of three lines, line 5 with a role the server does not know. */
const withProblem: ImportMembersResponse = {
  rows: [
    row(2, { username: "db003", full_name: "Nguyễn Văn Ba", outcome: "unchanged" }),
    row(3, { username: "db004", full_name: "Trần Thị Bốn", outcome: "new_member", existing_name: "Trần T. Bốn" }),
    row(5, { username: "db005", role: null, outcome: "problem", problem: { code: "unknown_role", given: "khach" } }),
  ],
  problems: 1,
  committed: false,
};

/** A good file: two new accounts and one role changed. */
const good: ImportMembersResponse = {
  rows: [row(2), row(3), row(4, { username: "db003", full_name: "Nguyễn Văn Ba", role: "chair", outcome: "role_changed" })],
  problems: 0,
  committed: false,
};

const CSV = "ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro\nDB102,Đại biểu 2,Đại biểu HĐND,Phường 1,dai_bieu\n";

type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

/** Installs the Rust side: each command answered by its handler (else `null`) and recorded. */
function backend(handlers: Handlers) {
  calls = [];
  mockIPC((command, args) => {
    const record = (args ?? {}) as Record<string, unknown>;
    calls.push({ command, args: record });
    return handlers[command]?.(record) ?? null;
  });
}

const importRequests = () =>
  calls.filter((call) => call.command === "import_members").map((call) => (call.args as { request: ImportMembersRequest }).request);

async function openPanel(handlers: Handlers) {
  setLocale("vi");
  backend(handlers);
  component = mount(MembersPanel, { target: document.body, props: { view: secretariat } });
  flushSync();
  byTestId("members-toggle")!.click();
  flushSync();
  await vi.waitFor(() => expect(memberRows().length).toBeGreaterThan(0));
}

const memberRows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="member-row"]')];
const previewRows = () => [...document.querySelectorAll<HTMLElement>("[data-import-line]")];

/** Chooses `file` in the panel's file input, as the file dialog would. */
function choose(file: File) {
  const input = byTestId("import-file") as HTMLInputElement;
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function typeInto(id: string, value: string) {
  const input = byTestId(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

const commitButton = () => byTestId("import-commit") as HTMLButtonElement;

describe("the members list", () => {
  it("lists every member with username, position and role, and shows nothing to one who may not manage members", async () => {
    await openPanel({ attendance: () => listed([ba, tk]) });
    expect(memberRows().map((shown) => [shown.dataset.username, shown.dataset.role])).toEqual([
      ["db003", "delegate"],
      ["tk", "secretariat"],
    ]);
    expect(memberRows()[0].textContent).toContain("Nguyễn Văn Ba");
    expect(memberRows()[0].textContent).toContain("db003 · Đại biểu HĐND");
    const role = memberRows()[0].querySelector("select")!;
    expect(role.getAttribute("aria-label")).toBe("Vai trò của Nguyễn Văn Ba");
    expect([...role.options].map((option) => option.textContent)).toEqual(["Chủ tọa", "Thư ký", "Đại biểu"]);
    expect(role.value).toBe("delegate");

    cleanUp(component);
    component = mount(MembersPanel, { target: document.body, props: { view: mirrorView() } });
    flushSync();
    expect(byTestId("members-panel")).toBeNull();
  });

  it("changes a member's role through the server and lists the members again", async () => {
    let members = [ba, tk];
    await openPanel({
      attendance: () => listed(members),
      set_member: (args) => {
        const { username, role } = (args as { request: { username: string; role: MemberAttendance["role"] } }).request;
        members = members.map((shown) => (shown.user.username === username ? { ...shown, role } : shown));
        return { user: ba.user, role };
      },
    });
    const select = memberRows()[0].querySelector("select")!;
    select.value = "chair";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(memberRows()[0].dataset.role).toBe("chair"));
    expect(calls.find((call) => call.command === "set_member")?.args).toEqual({ request: { username: "db003", role: "chair" } });
    expect(calls.filter((call) => call.command === "attendance")).toHaveLength(2);
    expect(byTestId("members-done")!.textContent).toContain("Đã đổi vai trò của Nguyễn Văn Ba thành Chủ tọa");
  });

  it("puts the role back when the server refuses the change", async () => {
    await openPanel({
      attendance: () => listed([ba, tk]),
      set_member: () => Promise.reject({ code: "forbidden", message_vi: "Không được phép", message_en: "Forbidden", detail: "" }),
    });
    const select = memberRows()[0].querySelector("select")!;
    select.value = "chair";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(byTestId("members-error")?.dataset.errorCode).toBe("forbidden"));
    expect(select.value).toBe("delegate");
  });

  it("adds an existing account by username with a role", async () => {
    let members = [tk];
    await openPanel({
      attendance: () => listed(members),
      set_member: () => {
        members = [ba, tk];
        return { user: ba.user, role: "delegate" };
      },
    });
    (byTestId("member-add-submit") as HTMLButtonElement).click();
    flushSync();
    expect(document.querySelector('[data-testid="member-add"] [role="alert"]')!.textContent).toContain(
      "Vui lòng nhập tên đăng nhập",
    );
    expect(calls.some((call) => call.command === "set_member")).toBe(false);

    typeInto("member-add-username", " DB003 ");
    (byTestId("member-add-submit") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(memberRows()).toHaveLength(2));
    expect(calls.find((call) => call.command === "set_member")?.args).toEqual({ request: { username: "db003", role: "delegate" } });
    expect((byTestId("member-add-username") as HTMLInputElement).value).toBe("");
    expect(byTestId("members-done")!.textContent).toContain("Đã thêm Nguyễn Văn Ba vào cuộc họp với vai trò Đại biểu");
  });
});

describe("importing a councillors file", () => {
  it("previews every line, with a clear error on the bad one, and keeps Nhập disabled", async () => {
    await openPanel({ attendance: () => listed([ba, tk]), import_members: () => withProblem });
    choose(new File([CSV], "dai-bieu.csv", { type: "text/csv" }));
    await vi.waitFor(() => expect(previewRows()).toHaveLength(3));

    expect(importRequests()).toEqual([{ csv: CSV, initial_password: "", commit: false }]);
    expect(previewRows().map((shown) => [shown.dataset.importLine, shown.dataset.outcome])).toEqual([
      ["2", "unchanged"],
      ["3", "new_member"],
      ["5", "problem"],
    ]);
    const [unchanged, added, bad] = previewRows();
    expect(unchanged.textContent).toContain("Không đổi");
    expect(added.textContent).toContain("Thêm vào cuộc họp");
    expect(added.textContent).toContain("Tài khoản đã có với tên: Trần T. Bốn");
    // Marked in words, not by colour alone.
    expect(bad.textContent).toContain("⚠ Lỗi:");
    expect(bad.textContent).toContain("Dòng 5: vai trò «khach» không hợp lệ (chu_toa, thu_ky hoặc dai_bieu)");
    expect(byTestId("import-problems")!.textContent).toContain("Dòng 5: vai trò «khach» không hợp lệ");

    expect(byTestId("import-summary")!.textContent?.trim()).toBe("3 dòng, 1 lỗi — chưa lưu gì");
    expect(byTestId("members-announcement")!.textContent).toBe("3 dòng, 1 lỗi — chưa lưu gì");
    expect(commitButton().disabled).toBe(true);
    expect(byTestId("import-password")).toBeNull();
    commitButton().click();
    flushSync();
    expect(importRequests()).toHaveLength(1);
  });

  it("previews a file dropped on the panel", async () => {
    await openPanel({ attendance: () => listed([ba, tk]), import_members: () => good });
    const drop = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(drop, "dataTransfer", {
      value: { files: [new File([CSV], "dai-bieu.csv", { type: "text/csv" })], types: ["Files"] },
    });
    byTestId("members-panel")!.dispatchEvent(drop);
    await vi.waitFor(() => expect(previewRows()).toHaveLength(3));
    expect(drop.defaultPrevented).toBe(true);
    expect(importRequests()).toEqual([{ csv: CSV, initial_password: "", commit: false }]);
  });

  it("commits a good file with the new accounts' password, says how many, and lists the members again", async () => {
    let members = [ba, tk];
    await openPanel({
      attendance: () => listed(members),
      import_members: (args) => {
        if (!(args as { request: ImportMembersRequest }).request.commit) return good;
        members = [...members, member(20, "db102", "Đại biểu 2", "delegate"), member(21, "db103", "Đại biểu 3", "delegate")];
        return { ...good, committed: true };
      },
    });
    choose(new File([CSV], "dai-bieu.csv", { type: "text/csv" }));
    await vi.waitFor(() => expect(previewRows()).toHaveLength(3));
    expect(byTestId("import-summary")!.textContent?.trim()).toBe(
      "3 dòng, không có lỗi, 3 thay đổi — chưa lưu gì, bấm «Nhập» để lưu",
    );
    const password = byTestId("import-password") as HTMLInputElement;
    expect(password.closest("label")!.textContent).toContain("Mật khẩu ban đầu cho 2 tài khoản mới (ít nhất 8 ký tự)");
    expect(commitButton().disabled).toBe(false);

    typeInto("import-password", "matkhau-2026");
    commitButton().click();
    await vi.waitFor(() => expect(byTestId("members-done")?.textContent).toContain("Đã nhập 3 đại biểu"));
    expect(importRequests()[1]).toEqual({ csv: CSV, initial_password: "matkhau-2026", commit: true });
    await vi.waitFor(() => expect(memberRows()).toHaveLength(4));
    expect(previewRows()).toHaveLength(0);
    expect(document.activeElement).toBe(byTestId("members-done"));
    expect(byTestId("members-announcement")!.textContent).toBe("Đã nhập 3 đại biểu");
  });

  it("refuses a password shorter than 8 characters before sending anything", async () => {
    await openPanel({ attendance: () => listed([ba, tk]), import_members: () => good });
    choose(new File([CSV], "dai-bieu.csv", { type: "text/csv" }));
    await vi.waitFor(() => expect(byTestId("import-password")).not.toBeNull());
    typeInto("import-password", "1234567");
    commitButton().click();
    await vi.waitFor(() =>
      expect(byTestId("import-password-problem")?.textContent).toContain("Mật khẩu ban đầu cần ít nhất 8 ký tự"),
    );
    expect(importRequests().filter((request) => request.commit)).toHaveLength(0);
    expect(document.activeElement).toBe(byTestId("import-password"));
    expect(byTestId("import-password")!.getAttribute("aria-invalid")).toBe("true");
  });

  it("shows a file that is not a councillors file as refused whole, with what one looks like", async () => {
    await openPanel({
      attendance: () => listed([ba, tk]),
      import_members: () =>
        Promise.reject({
          code: "invalid_command",
          message_vi: "Lệnh không hợp lệ",
          message_en: "Invalid command",
          detail: "the first line must be ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro",
        }),
    });
    choose(new File(["code,name\nDB001,An\n"], "danh-sach.csv", { type: "text/csv" }));
    await vi.waitFor(() => expect(byTestId("import-error")?.dataset.errorCode).toBe("invalid_command"));
    expect(byTestId("import-error")!.textContent).toContain("the first line must be ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro");
    expect(byTestId("import-refused")!.textContent).toContain("Tệp «danh-sach.csv» không đúng mẫu dai-bieu.csv");
    expect(byTestId("import-preview")).toBeNull();
    expect(byTestId("import-commit")).toBeNull();
  });
});

describe("the panel in the meeting screen", () => {
  function showMeeting(view: MirrorView) {
    setLocale("vi");
    backend({ attendance: () => listed([ba, tk]) });
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
  }

  it("is there, folded, for who manages the members", () => {
    showMeeting(secretariat);
    const toggle = byTestId("members-toggle")!;
    expect(toggle.textContent).toContain("Thành viên cuộc họp");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
  });

  it("is not there for a councillor", () => {
    showMeeting(mirrorView());
    expect(byTestId("members-panel")).toBeNull();
  });
});
