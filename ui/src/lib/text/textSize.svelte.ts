// The size of every text in the app, A− / A / A+ from 100 % to 200 % of the 20 px base,
// remembered across starts. Everything is sized in rem, so one root font size scales it all; at
// 150 % and more the header stops staying on top (`data-large-text`), so it never covers half of
// the window.

const STORAGE_KEY = "phonghop.textSize";
/** The base size of the app's text at 100 %, in CSS pixels. */
export const BASE_PX = 20;
/** The steps A− and A+ move between. */
export const STEPS: readonly number[] = [1, 1.25, 1.5, 1.75, 2];
/** From this step on the text is large: the header scrolls away with the page. */
const LARGE = 1.5;

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function parseScale(text: string | null | undefined): number {
  const value = Number(text);
  return STEPS.includes(value) ? value : 1;
}

let current = $state(parseScale(storage()?.getItem(STORAGE_KEY)));
apply(current);

function apply(scale: number): void {
  if (typeof document === "undefined") return;
  const root = document.documentElement;
  root.style.fontSize = `${BASE_PX * scale}px`;
  if (scale >= LARGE) root.dataset.largeText = "";
  else delete root.dataset.largeText;
}

/** The current scale (1 = 100 %); reading it inside a component makes it follow changes. */
export function textScale(): number {
  return current;
}

/** Whether the text is large enough that the header no longer stays on top. */
export function largeText(): boolean {
  return current >= LARGE;
}

export function setTextScale(scale: number): void {
  current = parseScale(String(scale));
  storage()?.setItem(STORAGE_KEY, String(current));
  apply(current);
}

/** One step bigger or smaller (−1), stopping at 100 % and 200 %. */
export function stepText(direction: 1 | -1): void {
  const index = STEPS.indexOf(current) + direction;
  if (index >= 0 && index < STEPS.length) setTextScale(STEPS[index]);
}
