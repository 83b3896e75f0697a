import { describe, expect, it } from "vitest";
import { codeGroups, expiryInHall } from "./hallScreen";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("the code in groups of four", () => {
  it.each([
    ["K7QM-2XPD-9RTA", ["K7QM", "2XPD", "9RTA"]],
    ["k7qm2xpd9rta", ["K7QM", "2XPD", "9RTA"]],
    [" K7QM 2XPD\t9RTA ", ["K7QM", "2XPD", "9RTA"]],
    ["ABCDEF", ["ABCD", "EF"]],
    ["", []],
  ])("%j is shown as %j", (code, groups) => {
    expect(codeGroups(code)).toEqual(groups);
  });
});

describe("until when a code works, in the hall's time", () => {
  it.each([
    ["2026-12-04T01:30:00Z", "08:30", "04/12/2026"],
    ["2026-12-04T16:59:00Z", "23:59", "04/12/2026"],
    // Seven hours ahead of UTC, the hall is already in the next day, month and year.
    ["2026-12-31T17:00:00Z", "00:00", "01/01/2027"],
    ["2027-02-28T20:05:00Z", "03:05", "01/03/2027"],
  ])("%s is %s on %s", (iso, time, date) => {
    expect(expiryInHall(at(iso))).toEqual({ time, date });
  });
});
