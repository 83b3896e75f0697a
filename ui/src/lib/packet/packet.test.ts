import { describe, expect, it } from "vitest";
import type { PacketView } from "../app-views/PacketView";
import { translate } from "../i18n/translate";
import { formatBytes, packetFraction, packetLine } from "./packet";

function view(overrides: Partial<PacketView> = {}): PacketView {
  return {
    meeting_id: 1,
    state: "downloading",
    files_total: 7,
    files_done: 3,
    bytes_total: 31_562_138,
    bytes_done: 13_002_342,
    current: 4,
    available: [1, 2, 3],
    failed: [],
    ...overrides,
  };
}

const said = (packet: PacketView, locale: "vi" | "en" = "vi") => {
  const { key, params } = packetLine(packet, locale);
  return translate(locale, key, params);
};

describe("the meeting packet's line", () => {
  it("counts files and bytes as people read them", () => {
    expect(said(view())).toBe("Đang tải tài liệu về máy: 3/7 tệp · 12,4 MB / 30,1 MB");
    expect(said(view(), "en")).toBe("Downloading the documents to this computer: 3/7 files · 12.4 MB / 30.1 MB");
  });

  it("says what waits for the network and that nothing is lost", () => {
    expect(said(view({ state: "waiting_for_server" }))).toBe(
      "Mất kết nối máy chủ: đã tải 12,4 MB / 30,1 MB, sẽ tải tiếp khi có mạng",
    );
  });

  it("says when every document is on the laptop, and when some failed", () => {
    expect(said(view({ state: "complete", files_done: 7, bytes_done: 31_562_138 }))).toBe(
      "Đã có đủ 7 tài liệu trên máy, đọc được cả khi mất mạng",
    );
    expect(said(view({ state: "incomplete", failed: [5, 6] }))).toBe(
      "2 tài liệu tải về bị lỗi, sẽ tải lại; đã có 3/7 tệp",
    );
    expect(said(view({ state: "complete", files_total: 0, files_done: 0, bytes_total: 0, bytes_done: 0 }))).toBe(
      "Cuộc họp chưa có tài liệu",
    );
  });

  it("writes small files in kilobytes and fills the bar by bytes", () => {
    expect(formatBytes(48_530, "vi")).toBe("47 KB");
    expect(formatBytes(200, "en")).toBe("1 KB");
    expect(packetFraction(view({ bytes_done: 50, bytes_total: 200 }))).toBe(0.25);
    expect(packetFraction(view({ bytes_done: 0, bytes_total: 0 }))).toBe(1);
  });
});
