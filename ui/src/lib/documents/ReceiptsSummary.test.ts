// @vitest-environment happy-dom
// What the secretariat sees of an item's documents: how many members have each and have opened
// it, and who has not got it yet.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import type { ReadReceipts } from "../protocol/ReadReceipts";
import { document as documentFixture } from "../testing/fixtures";
import ReceiptsSummary from "./ReceiptsSummary.svelte";

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = "";
});

const member = (id: number, name: string, downloaded: number | null, opened: number | null) => ({
  user: { id, username: `db00${id}`, full_name: name, position: "Đại biểu" },
  downloaded_at: downloaded,
  opened_at: opened,
});

it("counts who has each document and names who has not got it", () => {
  setLocale("vi");
  const receipts: ReadReceipts = {
    documents: [
      {
        document_id: 1,
        revision: 1,
        members: [
          member(1, "Vũ Đức An", null, null),
          member(3, "Đỗ Thị Chi", 1796027402, 1796027410),
          member(4, "Hồ Văn Dũng", 1796027402, null),
        ],
      },
    ],
  };
  component = mount(ReceiptsSummary, { target: document.body, props: { documents: [documentFixture(1, 2)], receipts } });
  flushSync();
  const row = document.querySelector('[data-testid="receipt-row"]');
  expect(row?.getAttribute("data-downloaded")).toBe("2");
  expect(row?.getAttribute("data-opened")).toBe("1");
  expect(row?.textContent).toContain("Đã tải về: 2/3 · Đã mở: 1/3");
  expect(row?.textContent).toContain("Chưa tải về: Vũ Đức An");
});
