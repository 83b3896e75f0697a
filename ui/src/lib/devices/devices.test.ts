// The councillors' laptops in words: the time of the last login and of a revocation on this
// computer's clock, whose laptop it is and from where it last logged in, whether it may still be
// used, and a revoke button and a confirmation that name the laptop, in both languages.

import { describe, expect, it } from "vitest";
import { translate, type Locale, type Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import type { DeviceView } from "../protocol/DeviceView";
import { deviceName, deviceRows, deviceTime } from "./devices";

const inLocale = (locale: Locale) => (key: MessageKey, params?: Params) => translate(locale, key, params);
const vi = inLocale("vi");
const en = inLocale("en");

/** Unix seconds of 08:30:05 on 1 December 2026 on this computer's clock, plus `seconds`. */
const at = (seconds = 0) => Math.floor(new Date(2026, 11, 1, 8, 30, 5).getTime() / 1000) + seconds;

function laptop(overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    id: "lap-3f9c",
    name: "MAY-DB003",
    user: { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" },
    last_login_at: at(),
    last_address: "192.168.1.31",
    revoked_at: null,
    ...overrides,
  };
}

describe("time", () => {
  it("is HH:MM dd/mm/yyyy on 24 hours, on this computer's clock, from Unix seconds", () => {
    expect(deviceTime(at())).toBe("08:30 01/12/2026");
    expect(deviceTime(new Date(2027, 0, 9, 17, 4, 59).getTime() / 1000)).toBe("17:04 09/01/2027");
    expect(deviceTime(new Date(2026, 11, 31, 0, 0, 0).getTime() / 1000)).toBe("00:00 31/12/2026");
  });
});

describe("names", () => {
  it("are trimmed, and a blank one is said in words", () => {
    expect(deviceName(laptop({ name: "  MAY-DB003 " }), vi)).toBe("MAY-DB003");
    expect(deviceName(laptop({ name: "   " }), vi)).toBe("Máy không có tên");
    expect(deviceName(laptop({ name: "" }), en)).toBe("Unnamed laptop");
  });
});

describe("rows", () => {
  it("say whose laptop it is, when and from where it last logged in, and that it may be used", () => {
    const [row] = deviceRows([laptop()], vi);
    expect(row).toEqual({
      id: "lap-3f9c",
      name: "MAY-DB003",
      fullName: "Nguyễn Văn Ba",
      revoked: false,
      owner: "Người dùng: Nguyễn Văn Ba (db003)",
      lastLogin: "Đăng nhập lần cuối lúc 08:30 01/12/2026, từ địa chỉ 192.168.1.31",
      state: "Đang dùng được",
      revokeLabel: "Thu hồi máy này: máy MAY-DB003 của Nguyễn Văn Ba",
      question:
        "Thu hồi máy MAY-DB003 của Nguyễn Văn Ba? Máy sẽ bị đăng xuất ngay, tài liệu kỳ họp trên máy bị xoá và không đăng nhập lại được.",
      yesLabel: "Thu hồi máy MAY-DB003 của Nguyễn Văn Ba",
      noLabel: "Không thu hồi máy MAY-DB003",
    });
  });

  it("say when a laptop was revoked", () => {
    const [row] = deviceRows([laptop({ revoked_at: at(3600 * 26) })], vi);
    expect(row.revoked).toBe(true);
    expect(row.state).toBe("Đã thu hồi lúc 10:30 02/12/2026");
  });

  it("keep the server's order, the most recently used first", () => {
    const rows = deviceRows([laptop({ id: "b", last_login_at: at(60) }), laptop({ id: "a" }), laptop({ id: "c", revoked_at: at(5) })], vi);
    expect(rows.map((row) => row.id)).toEqual(["b", "a", "c"]);
  });

  it("go by the username for an account without a full name", () => {
    const [row] = deviceRows([laptop({ user: { id: 4, username: "db004", full_name: " ", position: "" } })], vi);
    expect(row.owner).toBe("Người dùng: db004 (db004)");
    expect(row.yesLabel).toBe("Thu hồi máy MAY-DB003 của db004");
  });

  it("name the laptop in every button's accessible name, the visible words first", () => {
    for (const [t, revoke, yes, no] of [
      [vi, "Thu hồi máy này", "Thu hồi", "Không"],
      [en, "Revoke this laptop", "Revoke", "No"],
    ] as const) {
      const [row] = deviceRows([laptop()], t);
      for (const [label, visible] of [
        [row.revokeLabel, revoke],
        [row.yesLabel, yes],
        [row.noLabel, no],
      ]) {
        expect(label.startsWith(visible), `${label} starts with ${visible}`).toBe(true);
        expect(label).toContain("MAY-DB003");
      }
    }
  });

  it("speak English too", () => {
    const [row] = deviceRows([laptop({ revoked_at: at(60) })], en);
    expect(row.owner).toBe("User: Nguyễn Văn Ba (db003)");
    expect(row.lastLogin).toBe("Last logged in at 08:30 01/12/2026, from 192.168.1.31");
    expect(row.state).toBe("Revoked at 08:31 01/12/2026");
    expect(row.question).toBe(
      "Revoke Nguyễn Văn Ba's laptop MAY-DB003? It will be logged out at once, the meeting's documents on it removed, and it will not be able to log in again.",
    );
  });
});
