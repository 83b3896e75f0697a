import { describe, expect, it } from "vitest";
import { mirrorView } from "../testing/fixtures";
import { pickNewer } from "./mirror";

describe("pickNewer", () => {
  it("takes the first mirror", () => {
    const incoming = mirrorView();
    expect(pickNewer(null, incoming)).toBe(incoming);
  });

  it("takes a later log position", () => {
    const current = mirrorView({ seq: 10 });
    const incoming = mirrorView({ seq: 11 });
    expect(pickNewer(current, incoming)).toBe(incoming);
  });

  it("drops a late answer that is older than an event already shown", () => {
    const current = mirrorView({ seq: 12 });
    expect(pickNewer(current, mirrorView({ seq: 11 }))).toBe(current);
  });

  it("takes a live tally or connection change at the same position", () => {
    const current = mirrorView({ seq: 12, connection: "online" });
    const incoming = mirrorView({ seq: 12, connection: "offline" });
    expect(pickNewer(current, incoming)).toBe(incoming);
  });

  it("takes another meeting whatever its position", () => {
    const current = mirrorView({ meeting_id: 7, seq: 50 });
    const incoming = mirrorView({ meeting_id: 8, seq: 1 });
    expect(pickNewer(current, incoming)).toBe(incoming);
  });
});
