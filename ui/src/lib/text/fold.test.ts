// Folding for search and sameness: accents, case, đ and spacing make no difference.

import { describe, expect, it } from "vitest";
import { foldText } from "./fold";

describe("folding text", () => {
  it("drops accents and case, reads đ as d and collapses spaces", () => {
    expect(foldText("Nguyễn  Văn Đức")).toBe("nguyen van duc");
    expect(foldText("ĐĂNG NHẬP SAI")).toBe("dang nhap sai");
    expect(foldText("Tờ trình\tsố 12")).toBe("to trinh so 12");
  });

  it("folds text written with combining accents as the precomposed one", () => {
    expect(foldText("Thu\u0301")).toBe(foldText("Thú"));
  });

  it("leaves what has no accents alone", () => {
    expect(foldText("192.168.1.20")).toBe("192.168.1.20");
    expect(foldText("")).toBe("");
  });
});
