// @vitest-environment happy-dom
// How a document's revisions show: its revision number, a "new revision" mark while this reader
// has not opened it, and what changed since the revision before, article by article.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import type { Document } from "../protocol/Document";
import { document as documentFixture } from "../testing/fixtures";
import DocumentList from "./DocumentList.svelte";

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = "";
});

/** The demo resolution's second revision, with the changes the server found between the drafts. */
function revisedResolution(): Document {
  const first = documentFixture(2, 3, 1);
  return {
    ...first,
    title: "Dự thảo Nghị quyết",
    revision: 2,
    file_name: "du-thao-nghi-quyet-v2.pdf",
    changes: {
      pages_before: 1,
      pages_after: 1,
      pages_added: [],
      pages_removed: [],
      passages: [
        {
          section: "Điều 1",
          change: "changed",
          before: "Điều 1. Thông qua chủ trương … từ ngày 01 tháng 01 năm 2027.",
          after: "Điều 1. Thông qua chủ trương … và Ủy ban nhân dân 32 phường, xã từ ngày 01 tháng 01 năm 2027.",
          page: 0,
        },
        {
          section: "Điều 4",
          change: "added",
          before: "",
          after: "Điều 4. Văn phòng HĐND và UBND thành phố bảo đảm an toàn, an ninh thông tin cho hệ thống.",
          page: 0,
        },
      ],
      more_passages: false,
    },
    earlier: [{ ...first, revision: 1 }],
  };
}

function show(documents: Document[], newRevisions: number[], available: number[] = []) {
  setLocale("vi");
  component = mount(DocumentList, {
    target: document.body,
    props: { documents, newRevisions, available, onOpen: () => {} },
  });
  flushSync();
}

const all = (testid: string) => [...document.querySelectorAll(`[data-testid="${testid}"]`)];

describe("a document's revisions", () => {
  it("marks a revision the reader has not opened and shows what changed at once", () => {
    show([revisedResolution()], [2]);
    expect(all("new-revision").map((badge) => badge.textContent?.trim())).toEqual(["Bản sửa mới"]);
    expect(document.body.textContent).toContain("Lần 2");
    const passages = all("changed-passage").map((passage) => [
      passage.getAttribute("data-change"),
      passage.getAttribute("data-section"),
    ]);
    expect(passages).toEqual([
      ["changed", "Điều 1"],
      ["added", "Điều 4"],
    ]);
    expect(all("revision-changes")[0].textContent).toContain("32 phường, xã");
  });

  it("keeps the changes one tap away once the revision has been opened", () => {
    show([revisedResolution()], []);
    expect(all("new-revision")).toEqual([]);
    expect(all("changed-passage")).toEqual([]);
    const toggle = all("show-changes")[0] as HTMLButtonElement;
    expect(toggle.textContent?.trim()).toBe("Xem thay đổi so với lần 1");
    toggle.click();
    flushSync();
    expect(all("changed-passage")).toHaveLength(2);
  });

  it("shows nothing about revisions for a first revision", () => {
    show([documentFixture(1, 2)], []);
    expect(all("new-revision")).toEqual([]);
    expect(all("show-changes")).toEqual([]);
    expect(document.body.textContent).not.toContain("Lần");
  });

  it("marks the documents that are on this laptop, and only those", () => {
    show([documentFixture(1, 2), documentFixture(2, 2)], [], [2]);
    const marked = all("document")
      .filter((item) => item.querySelector('[data-testid="available-offline"]'))
      .map((item) => item.getAttribute("data-document-id"));
    expect(marked).toEqual(["2"]);
    expect(all("available-offline")[0].textContent).toContain("Đã có trên máy");
  });
});
