import { describe, expect, it } from "vitest";
import { en } from "./en";
import { otherLocale, parseLocale, placeholders, translate } from "./translate";
import { vi, type MessageKey } from "./vi";

const keys = Object.keys(vi) as MessageKey[];

describe("locale files", () => {
  it("english has exactly the vietnamese keys", () => {
    expect(Object.keys(en).sort()).toEqual([...keys].sort());
  });

  it.each(keys)("%s uses the same placeholders in both languages", (key) => {
    expect(placeholders(en[key]).sort()).toEqual(placeholders(vi[key]).sort());
  });

  it.each(keys)("%s is not empty in either language", (key) => {
    expect(vi[key].trim()).not.toBe("");
    expect(en[key].trim()).not.toBe("");
  });

  it("uses the council's own words for choices, outcomes and the connection", () => {
    expect([vi["choice.yes"], vi["choice.no"], vi["choice.abstain"]]).toEqual([
      "Tán thành",
      "Không tán thành",
      "Không biểu quyết",
    ]);
    expect([vi["outcome.passed"], vi["outcome.rejected"], vi["outcome.no_quorum"]]).toEqual([
      "Thông qua",
      "Không thông qua",
      "Không đủ số đại biểu có mặt",
    ]);
    expect(vi["connection.connecting"]).toBe("Đang kết nối");
    expect(vi["connection.offline"]).toBe("Mất kết nối — thay đổi sẽ được gửi khi có mạng");
    expect(vi["connection.loggedOut"]).toBe("Phiên đăng nhập đã hết hạn");
    expect(vi["relogin.action"]).toBe("Đăng nhập lại");
    expect(vi["login.submit"]).toBe("Đăng nhập");
    expect(vi["app.title"]).toBe("Phòng họp không giấy");
  });
});

describe("translate", () => {
  it("fills every placeholder", () => {
    expect(translate("vi", "poll.myVote", { choice: "Tán thành" })).toBe("Bạn đã biểu quyết: Tán thành");
    expect(translate("en", "poll.present", { present: 30, members: 34 })).toBe("Present: 30 / 34 members");
  });

  it("leaves a placeholder without a value visible instead of printing undefined", () => {
    expect(translate("vi", "viewer.page", { page: 1 })).toBe("Trang 1 / {count}");
  });

  it("leaves braces of values alone", () => {
    expect(translate("en", "meetings.greeting", { name: "{page}" })).toBe("Hello {page}");
  });
});

describe("stored locale", () => {
  it.each([
    ["vi", "vi"],
    ["en", "en"],
    [null, "vi"],
    ["fr", "vi"],
    ["", "vi"],
  ] as const)("%s is read as %s", (stored, expected) => {
    expect(parseLocale(stored)).toBe(expected);
  });

  it("switching goes back and forth", () => {
    expect(otherLocale("vi")).toBe("en");
    expect(otherLocale(otherLocale("vi"))).toBe("vi");
  });
});
