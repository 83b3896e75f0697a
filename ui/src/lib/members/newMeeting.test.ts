// The "new meeting" form's checks: what is sent as `starts_at`, and what the person is asked to fix
// before anything is sent.

import { describe, expect, it } from "vitest";
import { translate } from "../i18n/translate";
import { MEETING_KINDS, checkDraft, draftProblemText, emptyDraft, kindLabel, problemField, startsAt, type MeetingDraft } from "./newMeeting";

const draft = (overrides: Partial<MeetingDraft>): MeetingDraft => ({ ...emptyDraft(), ...overrides });

describe("starts_at", () => {
  it.each([
    ["2026-12-01", "08:00", "2026-12-01 08:00"],
    ["2026-12-01", "14:30:00", "2026-12-01 14:30"],
    [" 2028-02-29 ", " 07:05 ", "2028-02-29 07:05"],
    ["", "", ""],
  ])("%s and %s are sent as %j", (date, time, expected) => {
    expect(startsAt(date, time)).toEqual({ startsAt: expected });
  });

  it.each([
    ["", "08:00", "time_without_date"],
    ["2026-12-01", "", "date_without_time"],
    ["2026-02-29", "08:00", "bad_date"],
    ["2026-13-01", "08:00", "bad_date"],
    ["01/12/2026", "08:00", "bad_date"],
    ["2026-12-01", "24:00", "bad_time"],
    ["2026-12-01", "8h", "bad_time"],
  ])("%j and %j are refused as %s", (date, time, problem) => {
    expect(startsAt(date, time)).toEqual({ problem });
  });
});

describe("a new meeting's draft", () => {
  it("sends the title and place trimmed, the time joined and the kind chosen", () => {
    expect(
      checkDraft(
        draft({ title: "  Kỳ họp thứ 13  ", date: "2026-12-20", time: "08:00", location: " Hội trường ", kind: "conference" }),
      ),
    ).toEqual({
      request: { title: "Kỳ họp thứ 13", location: "Hội trường", starts_at: "2026-12-20 08:00", kind: "conference" },
    });
  });

  it("may leave the date and time for later", () => {
    expect(checkDraft(draft({ title: "Hội nghị tiếp xúc cử tri" }))).toEqual({
      request: { title: "Hội nghị tiếp xúc cử tri", location: "", starts_at: "", kind: "council_sitting" },
    });
  });

  it("needs a title, of at most 300 characters however they are written", () => {
    expect(checkDraft(draft({ title: "   ", date: "2026-12-20", time: "08:00" }))).toEqual({ problem: "title_missing" });
    expect(checkDraft(draft({ title: "Đ".repeat(301) }))).toEqual({ problem: "title_too_long" });
    expect(checkDraft(draft({ title: "Đ".repeat(300) }))).toHaveProperty("request");
  });

  it("asks for the title before the time", () => {
    expect(checkDraft(draft({ title: "", time: "08:00" }))).toEqual({ problem: "title_missing" });
    expect(checkDraft(draft({ title: "Kỳ họp", time: "08:00" }))).toEqual({ problem: "time_without_date" });
  });

  it("puts the keyboard on the field each problem is about", () => {
    expect(problemField("title_too_long")).toBe("title");
    expect(problemField("time_without_date")).toBe("date");
    expect(problemField("bad_date")).toBe("date");
    expect(problemField("date_without_time")).toBe("time");
    expect(problemField("bad_time")).toBe("time");
  });

  it("says each problem and each kind in both languages", () => {
    expect(translate("vi", draftProblemText("title_missing"))).toBe("Vui lòng nhập tên cuộc họp");
    expect(translate("en", draftProblemText("date_without_time"))).toBe("Please choose the start time (a date is chosen)");
    expect(MEETING_KINDS.map((kind) => translate("vi", kindLabel(kind)))).toEqual(["Kỳ họp HĐND", "Phiên họp UBND", "Hội nghị"]);
  });
});
