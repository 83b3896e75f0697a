// Polls of other forms than a motion — options, elections, confidence votes — as the UI shows
// them: the words of each mark and line result, what a ballot of marks must hold before it is
// sent, and the chair's form checked before a poll opens. The server checks all of it again and
// stays the judge; these checks only spare a councillor a refusal.

import { t } from "../i18n/locale.svelte";
import type { Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import type { BallotForm } from "../protocol/BallotForm";
import type { LineOutcome } from "../protocol/LineOutcome";
import type { Poll } from "../protocol/Poll";
import type { Tally } from "../protocol/Tally";
import { foldText } from "../text/fold";

export type BallotKind = BallotForm["type"];

/** The kinds in the order the chair's form offers them: a motion first, the default. */
export const BALLOT_KINDS: readonly BallotKind[] = ["motion", "options", "election", "yes_no_each", "confidence"];

/** Each kind as the chair's form and a poll's card name it. */
export const KIND_KEYS: Readonly<Record<BallotKind, MessageKey>> = {
  motion: "ballotForm.kind.motion",
  options: "ballotForm.kind.options",
  election: "ballotForm.kind.election",
  yes_no_each: "ballotForm.kind.yes_no_each",
  confidence: "ballotForm.kind.confidence",
};

/** The sentence under a line tally saying how many marks a line needs, by kind. */
export const NEEDED_KEYS: Readonly<Record<Exclude<BallotKind, "motion">, MessageKey>> = {
  options: "lines.needed.options",
  election: "lines.needed.election",
  yes_no_each: "lines.needed.yes_no_each",
  confidence: "lines.needed.confidence",
};

/** Most lines a ballot may have, as the server allows (`ballots::MAX_LINES`). */
export const MAX_LINES = 60;
/** Longest line, as long as a title may be (`text::MAX_TITLE_CHARS`). */
export const MAX_LINE_CHARS = 300;

/** A message to show, with its values. */
export type Problem = { key: MessageKey; params?: Params };

/** The poll's form; a poll from before other forms is a motion. */
export function formOf(poll: Poll): BallotForm {
  return poll.ballot ?? { type: "motion" };
}

export function isMotion(poll: Poll): boolean {
  return formOf(poll).type === "motion";
}

/** The lines to mark, in order: options, candidates or persons; none for a motion. */
export function ballotLines(form: BallotForm): string[] {
  switch (form.type) {
    case "motion":
      return [];
    case "options":
      return form.options;
    case "election":
    case "yes_no_each":
      return form.candidates;
    case "confidence":
      return form.persons;
  }
}

/** At most how many lines a ballot may choose (or approve, yes/no per candidate); `null`: no limit. */
export function seatsOf(form: BallotForm): number | null {
  switch (form.type) {
    case "options":
      return form.max_picks;
    case "election":
    case "yes_no_each":
      return form.seats;
    default:
      return null;
  }
}

/** The mark a line is measured by: chosen (1), đồng ý (0), tín nhiệm thấp (2); `null` for a motion. */
export function countedMark(form: BallotForm): number | null {
  switch (form.type) {
    case "motion":
      return null;
    case "options":
    case "election":
      return 1;
    case "yes_no_each":
      return 0;
    case "confidence":
      return 2;
  }
}

/** A ballot of ticks (chosen or not), rather than one answer of three per line. */
export function usesTicks(form: BallotForm): boolean {
  return form.type === "options" || form.type === "election";
}

/** The words of each mark, by its number. */
export function markKeys(form: BallotForm): MessageKey[] {
  switch (form.type) {
    case "motion":
      return [];
    case "options":
    case "election":
      return ["mark.notChosen", "mark.chosen"];
    case "yes_no_each":
      return ["mark.agree", "mark.disagree", "mark.noVote"];
    case "confidence":
      return ["mark.confidenceHigh", "mark.confidence", "mark.confidenceLow"];
  }
}

/** The marks of a ballot not yet filled in: nothing ticked, or no answer yet on any line. */
export function blankMarks(form: BallotForm): (number | null)[] {
  return ballotLines(form).map(() => (usesTicks(form) ? 0 : null));
}

/** How many lines carry the counted mark (chosen, đồng ý). */
export function chosenCount(form: BallotForm, marks: readonly (number | null)[]): number {
  const counted = countedMark(form);
  return marks.filter((mark) => mark !== null && mark === counted).length;
}

/**
 * Why `marks` cannot be sent yet, or `null` when they can: a line without an answer (yes/no per
 * candidate, confidence), more lines chosen or approved than the poll allows. Nothing ticked is a
 * blank ballot, which may be sent.
 */
export function marksProblem(form: BallotForm, marks: readonly (number | null)[]): Problem | null {
  const lines = ballotLines(form);
  const unmarked = lines.filter((_, index) => marks[index] === null || marks[index] === undefined);
  if (unmarked.length > 0) return { key: "ballot.unmarked", params: { names: unmarked.join(", ") } };
  const seats = seatsOf(form);
  if (seats !== null && chosenCount(form, marks) > seats) {
    return { key: form.type === "yes_no_each" ? "ballot.agreeUpTo" : "ballot.chooseUpTo", params: { max: seats } };
  }
  return null;
}

/** Each line with the words of its mark, for a ballot the server recorded (or one just sent). */
export function markedLines(form: BallotForm, marks: readonly number[]): { line: string; mark: string; value: number }[] {
  const keys = markKeys(form);
  return ballotLines(form).map((line, index) => {
    const value = marks[index] ?? 0;
    return { line, value, mark: keys[value] ? t(keys[value]) : String(value) };
  });
}

const ELECTED: Readonly<Record<LineOutcome, MessageKey>> = {
  reached: "line.elected",
  not_reached: "line.notElected",
  tied: "line.tiedElection",
};

const ADOPTED: Readonly<Record<LineOutcome, MessageKey>> = {
  reached: "line.adopted",
  not_reached: "line.notAdopted",
  tied: "line.tiedOptions",
};

/** How a line came out, in the words of its form. */
export function lineOutcomeKey(form: BallotForm, outcome: LineOutcome): MessageKey {
  switch (form.type) {
    case "election":
    case "yes_no_each":
      return ELECTED[outcome];
    case "confidence":
      // No seats, so never tied: a person is rated low by the rule's share of members, or not.
      return outcome === "reached" ? "line.lowConfidence" : "line.notLowConfidence";
    default:
      return ADOPTED[outcome];
  }
}

/** The counts of one line by mark (zeros where the tally has none yet). */
export function lineCounts(form: BallotForm, tally: Tally, line: number): number[] {
  const counts = tally.counts?.[line] ?? [];
  return markKeys(form).map((_, mark) => counts[mark] ?? 0);
}

/** Ballots cast: sealed ones in an open secret poll, else every ballot counted once on a line. */
export function ballotsCast(tally: Tally): number {
  if (tally.sealed > 0) return tally.sealed;
  return (tally.counts?.[0] ?? []).reduce((sum, count) => sum + count, 0);
}

/** The names of the lines that came out as `outcome`. */
function linesWith(poll: Poll, outcome: LineOutcome): string[] {
  const lines = ballotLines(formOf(poll));
  return poll.line_outcomes.flatMap((each, index) => (each === outcome && lines[index] !== undefined ? [lines[index]] : []));
}

/**
 * The result of a closed poll of marks in one or two sentences: who was elected (or what was
 * chosen, who was rated low), and the lines tied for the last seat. `[]` while open or for a
 * motion; a poll without the quorum says so.
 */
export function resultSentences(poll: Poll): string[] {
  const form = formOf(poll);
  if (form.type === "motion" || poll.state !== "closed" || poll.outcome === null) return [];
  if (poll.outcome === "no_quorum") return [t("outcome.no_quorum")];
  const reached = linesWith(poll, "reached");
  const tied = linesWith(poll, "tied");
  const names = (list: string[]) => list.join(", ");
  const sentences: string[] = [];
  switch (form.type) {
    case "election":
    case "yes_no_each":
      sentences.push(reached.length > 0 ? t("lines.elected", { names: names(reached) }) : t("lines.noneElected"));
      if (tied.length > 0) sentences.push(t("lines.tiedElection", { names: names(tied) }));
      break;
    case "options":
      sentences.push(reached.length > 0 ? t("lines.adopted", { names: names(reached) }) : t("lines.noneAdopted"));
      if (tied.length > 0) sentences.push(t("lines.tiedOptions", { names: names(tied) }));
      break;
    case "confidence":
      sentences.push(reached.length > 0 ? t("lines.lowConfidence", { names: names(reached) }) : t("lines.noLowConfidence"));
      break;
  }
  return sentences;
}

/** The chair's form before it is checked: the kind, the lines as typed, the number to choose. */
export type BallotDraft = { kind: BallotKind; lines: string; count: number | null };

export function emptyDraft(): BallotDraft {
  return { kind: "motion", lines: "", count: 1 };
}

/** The lines typed one per line: trimmed, empty ones left out. */
export function parseLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Which field of the form a problem is about, so focus can go there. */
export type DraftField = "lines" | "count";

export type CheckedDraft =
  | { ok: true; ballot: BallotForm | null }
  | { ok: false; problem: Problem; field: DraftField };

/**
 * The chair's draft as a form to open a poll with (`null` for a motion), or why it cannot be
 * sent: too few options, no names, a line twice or too long, too many lines, a number to choose
 * that is not 1 to the number of lines.
 */
export function checkDraft(draft: BallotDraft): CheckedDraft {
  const kind = draft.kind;
  if (kind === "motion") return { ok: true, ballot: null };
  const lines = parseLines(draft.lines);
  const refuse = (key: MessageKey, params?: Params, field: DraftField = "lines"): CheckedDraft => ({
    ok: false,
    problem: { key, params },
    field,
  });
  if (kind === "options" && lines.length < 2) return refuse("ballotForm.tooFewOptions");
  if (lines.length === 0) return refuse("ballotForm.noLines");
  if (lines.length > MAX_LINES) return refuse("ballotForm.tooManyLines", { max: MAX_LINES, count: lines.length });
  // Lines are the same as the server compares them: without accents, any case, `d` for `đ`.
  const seen = new Map<string, number>();
  for (const [index, line] of lines.entries()) {
    if ([...line].length > MAX_LINE_CHARS) return refuse("ballotForm.lineTooLong", { line: index + 1, max: MAX_LINE_CHARS });
    const first = seen.get(foldText(line));
    if (first !== undefined) return refuse("ballotForm.sameLineTwice", { line: index + 1, first, name: line });
    seen.set(foldText(line), index + 1);
  }
  if (kind === "confidence") return { ok: true, ballot: { type: "confidence", persons: lines } };
  const count = draft.count;
  if (count === null || !Number.isInteger(count) || count < 1 || count > lines.length) {
    return refuse(kind === "options" ? "ballotForm.badPicks" : "ballotForm.badSeats", { lines: lines.length }, "count");
  }
  switch (kind) {
    case "options":
      return { ok: true, ballot: { type: "options", options: lines, max_picks: count } };
    case "election":
      return { ok: true, ballot: { type: "election", candidates: lines, seats: count } };
    case "yes_no_each":
      return { ok: true, ballot: { type: "yes_no_each", candidates: lines, seats: count } };
  }
}
