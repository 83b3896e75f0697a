// Text as Vietnamese people compare it when searching or spotting a repeat: without accents, in
// any case, `d` for `đ`, runs of spaces as one. Pure, so tested directly.

/** `text` folded: "Nguyễn  Văn Đức" and "nguyen van duc" fold to the same. */
export function foldText(text: string): string {
  return text
    .replace(/[đĐ]/g, "d")
    .normalize("NFD")
    .replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff]/g, "")
    .replace(/\s+/g, " ")
    .toLowerCase();
}
