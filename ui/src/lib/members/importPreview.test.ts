// A councillors file's preview in words: each line's outcome or problem as the server reported it,
// the summary, and the checks made before a commit is sent.

import { describe, expect, it } from "vitest";
import { translate, type Locale } from "../i18n/translate";
import type { ImportMembersResponse } from "../protocol/ImportMembersResponse";
import type { ImportProblem } from "../protocol/ImportProblem";
import type { ImportRow } from "../protocol/ImportRow";
import {
  committedMessage,
  mayCommit,
  newAccounts,
  passwordProblem,
  previewLine,
  problemMessage,
  problemMessages,
  summaryMessage,
  type Message,
} from "./importPreview";

const say = (locale: Locale, message: Message) => translate(locale, message.key, message.params);

function row(line: number, overrides: Partial<ImportRow> = {}): ImportRow {
  return {
    line,
    username: `db00${line}`,
    full_name: `Đại biểu ${line}`,
    position: "Đại biểu HĐND",
    role: "delegate",
    outcome: "new_account",
    problem: null,
    existing_name: null,
    ...overrides,
  };
}

const broken = (line: number, problem: ImportProblem, overrides: Partial<ImportRow> = {}) =>
  row(line, { outcome: "problem", problem, ...overrides });

const response = (rows: ImportRow[]): ImportMembersResponse => ({
  rows,
  problems: rows.filter((shown) => shown.problem !== null).length,
  committed: false,
});

describe("each problem in words", () => {
  it.each<[ImportRow, string, string]>([
    [
      broken(3, { code: "wrong_columns", found: 4 }),
      "Dòng 3: có 4 cột, cần đúng 5 cột (ma_dai_bieu, ho_ten, chuc_vu, don_vi, vai_tro)",
      "Line 3: 4 columns, exactly 5 are needed (ma_dai_bieu, ho_ten, chuc_vu, don_vi, vai_tro)",
    ],
    [
      broken(4, { code: "missing_code" }, { username: "" }),
      "Dòng 4: thiếu mã đại biểu (ma_dai_bieu)",
      "Line 4: the councillor code (ma_dai_bieu) is missing",
    ],
    [
      broken(5, { code: "bad_code" }, { username: "db 4" }),
      "Dòng 5: mã đại biểu «db 4» chỉ được có chữ a–z không dấu, chữ số, dấu - _ . và tối đa 64 ký tự",
      "Line 5: the code “db 4” may have only letters a–z without accents, digits, - _ . and at most 64 characters",
    ],
    [broken(6, { code: "missing_name" }), "Dòng 6: thiếu họ tên (ho_ten)", "Line 6: the full name (ho_ten) is missing"],
    [
      broken(7, { code: "bad_text" }),
      "Dòng 7: họ tên hoặc chức vụ có ký tự điều khiển hoặc dài quá 300 ký tự",
      "Line 7: the name or position has control characters or more than 300 characters",
    ],
    [
      broken(5, { code: "unknown_role", given: "khach" }, { role: null }),
      "Dòng 5: vai trò «khach» không hợp lệ (chu_toa, thu_ky hoặc dai_bieu)",
      "Line 5: the role “khach” is not valid (chu_toa, thu_ky or dai_bieu)",
    ],
    [
      broken(9, { code: "unknown_role", given: "" }, { role: null }),
      "Dòng 9: thiếu vai trò (chu_toa, thu_ky hoặc dai_bieu)",
      "Line 9: the role is missing (chu_toa, thu_ky or dai_bieu)",
    ],
    [
      broken(8, { code: "duplicate_code", first_line: 2 }, { username: "db001" }),
      "Dòng 8: mã «db001» trùng với dòng 2",
      "Line 8: the code “db001” is already on line 2",
    ],
  ])("line %#", (shown, vi, en) => {
    const message = problemMessage(shown, shown.problem!);
    expect(say("vi", message)).toBe(vi);
    expect(say("en", message)).toBe(en);
  });
});

describe("a preview's lines", () => {
  it.each([
    ["new_account", "Tạo tài khoản mới"],
    ["new_member", "Thêm vào cuộc họp"],
    ["role_changed", "Đổi vai trò"],
    ["unchanged", "Không đổi"],
  ] as const)("a line that is %s says %s", (outcome, words) => {
    const line = previewLine(row(2, { outcome, role: "chair" }));
    expect(line.isProblem).toBe(false);
    expect(say("vi", line.result)).toBe(words);
    expect(line.role).toBe("role.chair");
  });

  it("marks a problem line as one, with its sentence and no role when none could be read", () => {
    const line = previewLine(broken(5, { code: "unknown_role", given: "khach" }, { role: null }));
    expect(line.isProblem).toBe(true);
    expect(line.outcome).toBe("problem");
    expect(line.role).toBeNull();
    expect(say("vi", line.result)).toBe("Dòng 5: vai trò «khach» không hợp lệ (chu_toa, thu_ky hoặc dai_bieu)");
  });

  it("notes an existing account under another name, which the import keeps", () => {
    const line = previewLine(row(2, { outcome: "new_member", full_name: "Nguyễn Văn An", existing_name: "Nguyễn V. An" }));
    expect(say("vi", line.existingName!)).toBe("Tài khoản đã có với tên: Nguyễn V. An");
    expect(previewLine(row(3)).existingName).toBeNull();
  });

  it("lists the problems alone, in the file's order", () => {
    const found = response([row(2), broken(3, { code: "missing_name" }), row(4), broken(6, { code: "bad_text" })]);
    expect(problemMessages(found).map((message) => message.params.line)).toEqual([3, 6]);
  });
});

describe("summary and commit", () => {
  const good = response([
    row(2),
    row(3, { outcome: "new_member" }),
    row(4, { outcome: "role_changed" }),
    row(5, { outcome: "unchanged" }),
  ]);
  const bad = response([row(2), broken(3, { code: "missing_code" }), broken(4, { code: "missing_name" })]);

  it("says how many lines and errors, and that nothing is saved", () => {
    expect(say("vi", summaryMessage(bad))).toBe("3 dòng, 2 lỗi — chưa lưu gì");
    expect(say("en", summaryMessage(bad))).toBe("3 lines, 2 errors — nothing saved");
    expect(say("vi", summaryMessage(good))).toBe("4 dòng, không có lỗi, 3 thay đổi — chưa lưu gì, bấm «Nhập» để lưu");
    expect(say("vi", summaryMessage(response([row(2, { outcome: "unchanged" })])))).toBe(
      "1 dòng, không có lỗi, không có gì thay đổi — chưa lưu gì",
    );
    expect(say("vi", summaryMessage(response([])))).toBe("Tệp không có dòng đại biểu nào — chưa lưu gì");
  });

  it("commits only a file without problems that changes something", () => {
    expect(mayCommit(good)).toBe(true);
    expect(mayCommit(bad)).toBe(false);
    expect(mayCommit(response([row(2, { outcome: "unchanged" })]))).toBe(false);
  });

  it("asks for an initial password of 8 characters only when new accounts are made", () => {
    expect(newAccounts(good)).toBe(1);
    expect(say("vi", passwordProblem(good, "1234567")!)).toBe("Mật khẩu ban đầu cần ít nhất 8 ký tự");
    expect(passwordProblem(good, "12345678")).toBeNull();
    // Characters, not bytes: the server counts them so.
    expect(passwordProblem(good, "đđđđđđđđ")).toBeNull();
    const noneNew = response([row(2, { outcome: "new_member" })]);
    expect(newAccounts(noneNew)).toBe(0);
    expect(passwordProblem(noneNew, "")).toBeNull();
  });

  it("says how many councillors were imported", () => {
    expect(say("vi", committedMessage({ ...response([row(2), row(3)]), committed: true }))).toBe("Đã nhập 2 đại biểu");
    expect(say("vi", committedMessage({ ...good, committed: true }))).toBe("Đã nhập 3 đại biểu (1 người không đổi)");
  });
});
