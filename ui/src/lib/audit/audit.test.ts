// The audit trail in words: every action the server writes has a label in both languages, a
// short summary where it helps (never a throw on a detail that is not what was expected), the
// time on this computer's clock, newest first, a filter that ignores accents and case, and every
// page fetched.

import { describe, expect, it } from "vitest";
import { translate, type Locale, type Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import type { AuditEntry } from "../protocol/AuditEntry";
import type { AuditPage } from "../protocol/AuditPage";
import { KNOWN_ACTIONS, actionLabel, auditRows, auditSummary, auditTime, filterRows, loadTrail } from "./audit";

const inLocale = (locale: Locale) => (key: MessageKey, params?: Params) => translate(locale, key, params);
const vi = inLocale("vi");
const en = inLocale("en");

/** 08:30:05 on 1 December 2026 on this computer's clock, plus `seconds`. */
const at = (seconds = 0) => new Date(2026, 11, 1, 8, 30, 5).getTime() + seconds * 1000;

function entry(seq: number, action: string, detail = "{}", who = "Phạm Thư Ký (tk)", address = "192.168.1.20"): AuditEntry {
  return { seq, at_ms: at(seq), meeting_id: 7, user_id: 9, who, address, action, detail, hash: "ab".repeat(32) };
}

describe("action labels", () => {
  it("name every action the server writes, in both languages, each its own", () => {
    expect(KNOWN_ACTIONS).toHaveLength(38);
    for (const [t, locale] of [[vi, "vi"], [en, "en"]] as const) {
      const labels = KNOWN_ACTIONS.map((action) => actionLabel(action, t));
      for (const [index, label] of labels.entries()) {
        expect(label, `${locale} ${KNOWN_ACTIONS[index]}`).not.toBe(KNOWN_ACTIONS[index]);
      }
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it.each([
    ["login", "Đăng nhập", "Login"],
    ["login_failed", "Đăng nhập sai", "Failed login"],
    ["password_confirm_failed", "Nhập lại mật khẩu sai", "Wrong password when confirming"],
    ["poll_opened", "Mở biểu quyết", "Poll opened"],
    ["poll_closed", "Kết thúc biểu quyết", "Poll closed"],
    ["agenda_item_added", "Thêm nội dung", "Agenda item added"],
    ["document_added", "Tải tài liệu lên", "Document uploaded"],
    ["ballot_cast", "Bỏ phiếu", "Ballot cast"],
    ["member_set", "Đổi vai trò", "Member's role set"],
    ["attendance_set", "Điểm danh", "Attendance marked"],
    ["hall_link_created", "Tạo mã màn hình hội trường", "Hall screen code made"],
    ["hall_links_revoked", "Thu hồi mã màn hình hội trường", "Hall screen codes revoked"],
    ["opinion_sent", "Gửi góp ý", "Opinion sent"],
    ["device_revoked", "Thu hồi máy tính", "Laptop revoked"],
    ["login_revoked_device", "Đăng nhập từ máy đã thu hồi", "Login from a revoked laptop"],
  ])("%s reads “%s” / “%s”", (action, inVietnamese, inEnglish) => {
    expect(actionLabel(action, vi)).toBe(inVietnamese);
    expect(actionLabel(action, en)).toBe(inEnglish);
  });

  it.each(["minutes_signed", "", "constructor", "toString", "__proto__"])("shows an action it does not know (%j) as written", (action) => {
    expect(actionLabel(action, vi)).toBe(action);
  });
});

describe("summaries", () => {
  it("give the item's, poll's, document's and meeting's title", () => {
    expect(auditSummary("agenda_item_added", '{"seq":3,"item":{"id":4,"title":"Tờ trình ngân sách 2027"}}', vi)).toBe(
      "Tờ trình ngân sách 2027",
    );
    expect(auditSummary("agenda_item_edited", '{"seq":4,"item_id":4,"title":"Tờ trình ngân sách","description":""}', vi)).toBe(
      "Tờ trình ngân sách",
    );
    expect(auditSummary("poll_opened", '{"seq":9,"poll":{"id":2,"title":"Thông qua nghị quyết"}}', vi)).toBe(
      "Thông qua nghị quyết",
    );
    expect(auditSummary("document_added", '{"seq":5,"document":{"id":11,"title":"Dự thảo nghị quyết","file_name":"du-thao.pdf"}}', vi)).toBe(
      "Dự thảo nghị quyết",
    );
    // A document without a title goes by its file's name.
    expect(auditSummary("document_revised", '{"seq":6,"document":{"id":11,"title":"","file_name":"du-thao-v2.pdf"}}', vi)).toBe(
      "du-thao-v2.pdf",
    );
    expect(auditSummary("meeting_created", '{"title":"Kỳ họp thứ 7","location":"Hội trường","starts_at":0}', vi)).toBe(
      "Kỳ họp thứ 7",
    );
  });

  it("give a poll's result, why it was cancelled and the role given, in the current language", () => {
    const closed = '{"seq":12,"poll_id":2,"tally":{},"outcome":"passed","line_outcomes":[]}';
    expect(auditSummary("poll_closed", closed, vi)).toBe("Kết quả: Thông qua");
    expect(auditSummary("poll_closed", closed, en)).toBe("Result: Passed");
    expect(auditSummary("poll_closed", '{"outcome":"rejected"}', vi)).toBe("Kết quả: Không thông qua");
    expect(auditSummary("poll_cancelled", '{"seq":13,"poll_id":3,"reason":"Nhầm nội dung"}', vi)).toBe("Lý do: Nhầm nội dung");
    expect(auditSummary("member_set", '{"user_id":3,"role":"delegate"}', vi)).toBe("Vai trò: Đại biểu");
  });

  it("are left out where they would not help", () => {
    expect(auditSummary("login", '{"expires_at":1790000000}', vi)).toBeNull();
    expect(auditSummary("ballot_cast", '{"poll_id":2}', vi)).toBeNull();
    expect(auditSummary("password_confirm_failed", "{}", vi)).toBeNull();
    expect(auditSummary("minutes_signed", '{"title":"Biên bản"}', vi)).toBeNull();
  });

  it.each([
    ["agenda_item_added", "not json"],
    ["agenda_item_added", ""],
    ["agenda_item_added", "null"],
    ["agenda_item_added", '"Tờ trình"'],
    ["agenda_item_added", '[{"title":"x"}]'],
    ["agenda_item_added", '{"item":null}'],
    ["agenda_item_added", '{"item":"Tờ trình"}'],
    ["agenda_item_added", '{"item":{"title":42}}'],
    ["agenda_item_added", '{"item":{"title":"   "}}'],
    ["poll_opened", '{"poll":{}}'],
    ["document_added", '{"document":[]}'],
    ["poll_closed", '{"outcome":"failed"}'],
    ["poll_closed", '{"outcome":"toString"}'],
    ["poll_cancelled", '{"reason":""}'],
    ["member_set", '{"role":"admin"}'],
  ])("are left out for %s with an unexpected detail %j, without a throw", (action, detail) => {
    expect(auditSummary(action, detail, vi)).toBeNull();
  });
});

describe("time", () => {
  it("is HH:MM:SS dd/mm/yyyy on 24 hours, on this computer's clock", () => {
    expect(auditTime(at())).toBe("08:30:05 01/12/2026");
    expect(auditTime(new Date(2027, 0, 9, 17, 4, 59, 999).getTime())).toBe("17:04:59 09/01/2027");
    expect(auditTime(new Date(2026, 11, 31, 0, 0, 0).getTime())).toBe("00:00:00 31/12/2026");
  });
});

describe("rows", () => {
  const entries = [
    entry(3, "login", '{"expires_at":1}', "Nguyễn Văn Ba (db003)", "192.168.1.31"),
    entry(8, "poll_opened", '{"seq":4,"poll":{"title":"Thông qua nghị quyết về đầu tư công"}}'),
    entry(5, "login_failed", '{"known_username":false}', "ddd", "10.0.0.8"),
    entry(9, "poll_closed", '{"seq":5,"outcome":"passed"}', "máy chủ / server", "local"),
  ];
  const rows = auditRows(entries, vi);

  it("come newest first, with label, summary and time", () => {
    expect(rows.map((row) => row.seq)).toEqual([9, 8, 5, 3]);
    expect(rows[0]).toMatchObject({
      label: "Kết thúc biểu quyết",
      summary: "Kết quả: Thông qua",
      who: "máy chủ / server",
      address: "local",
      time: "08:30:14 01/12/2026",
    });
    expect(rows[3].summary).toBeNull();
  });

  it("are all there for a blank filter", () => {
    expect(filterRows(rows, "")).toBe(rows);
    expect(filterRows(rows, "   ")).toBe(rows);
  });

  it.each([
    ["nguyen van ba", [3]],
    ["NGUYỄN", [3]],
    ["192.168.1.20", [8]],
    ["192.168.1", [8, 3]],
    ["dang nhap", [5, 3]],
    ["đăng nhập sai", [5]],
    ["dau tu cong", [8]],
    ["thong qua", [9, 8]],
    ["local", [9]],
    ["08:30:13", [8]],
    ["ba   dang nhap", [3]],
    ["bieu quyet khong co", []],
  ])("filtered by %j keep %j", (query, seqs) => {
    expect(filterRows(rows, query).map((row) => row.seq)).toEqual(seqs);
  });

  it("follow the language of the labels", () => {
    const english = auditRows(entries, en);
    expect(english[2].label).toBe("Failed login");
    expect(filterRows(english, "failed login").map((row) => row.seq)).toEqual([5]);
  });
});

describe("fetching the whole trail", () => {
  /** A server holding `entries`, answering at most `size` after `after`; records each `after`. */
  function server(entries: AuditEntry[], size: number) {
    const asked: number[] = [];
    const fetchPage = async (after: number): Promise<AuditPage> => {
      asked.push(after);
      const following = entries.filter((one) => one.seq > after);
      return { entries: following.slice(0, size), more: following.length > size };
    };
    return { asked, fetchPage };
  }

  it("asks again after the last entry as long as more follow", async () => {
    const entries = [2, 4, 5, 9, 12].map((seq) => entry(seq, "attendance_set"));
    const { asked, fetchPage } = server(entries, 2);
    expect((await loadTrail(fetchPage)).map((one) => one.seq)).toEqual([2, 4, 5, 9, 12]);
    expect(asked).toEqual([0, 4, 9]);
  });

  it("asks once when everything fits, and once for none", async () => {
    const one = server([entry(1, "login")], 1000);
    expect(await loadTrail(one.fetchPage)).toHaveLength(1);
    expect(one.asked).toEqual([0]);
    const none = server([], 1000);
    expect(await loadTrail(none.fetchPage)).toEqual([]);
    expect(none.asked).toEqual([0]);
  });

  it("stops at a page that says more but brings nothing newer", async () => {
    const asked: number[] = [];
    const stuck = async (after: number): Promise<AuditPage> => {
      asked.push(after);
      return after === 0 ? { entries: [entry(3, "login")], more: true } : { entries: [], more: true };
    };
    expect((await loadTrail(stuck)).map((one) => one.seq)).toEqual([3]);
    expect(asked).toEqual([0, 3]);
  });

  it("passes a refusal on", async () => {
    const refusing = async (): Promise<AuditPage> => {
      throw new Error("forbidden");
    };
    await expect(loadTrail(refusing)).rejects.toThrow("forbidden");
  });
});
