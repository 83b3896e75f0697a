// Which words describe choices and outcomes, and what the caller chose. Who may vote or manage
// polls is not decided here: the Rust side sends it in the view (`may`, `can_vote_in`).

import type { MessageKey } from "../i18n/vi";
import type { Choice } from "../protocol/Choice";
import type { MyBallot } from "../protocol/MyBallot";
import type { Outcome } from "../protocol/Outcome";
import type { Tally } from "../protocol/Tally";

/** The three choices, in the order the buttons appear. */
export const CHOICES: readonly Choice[] = ["yes", "no", "abstain"];

const CHOICE_LABELS: Readonly<Record<Choice, MessageKey>> = {
  yes: "choice.yes",
  no: "choice.no",
  abstain: "choice.abstain",
};

const OUTCOME_LABELS: Readonly<Record<Outcome, MessageKey>> = {
  passed: "outcome.passed",
  rejected: "outcome.rejected",
  no_quorum: "outcome.no_quorum",
};

export function choiceLabel(choice: Choice): MessageKey {
  return CHOICE_LABELS[choice];
}

export function outcomeLabel(outcome: Outcome): MessageKey {
  return OUTCOME_LABELS[outcome];
}

/** The caller's recorded ballot in a poll, from the server's `my_ballots`. */
export function recordedChoice(ballots: readonly MyBallot[], pollId: number): Choice | null {
  return ballots.find((ballot) => ballot.poll_id === pollId)?.choice ?? null;
}

/** One line of a tally: which choice and how many chose it. */
export type TallyRow = { choice: Choice; count: number };

export function tallyRows(tally: Tally): TallyRow[] {
  return CHOICES.map((choice) => ({ choice, count: tally[choice] }));
}
