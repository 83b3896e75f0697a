// Which words describe choices and outcomes, and what the caller chose. Who may vote or manage
// polls is not decided here: the Rust side sends it in the view (`may`, `can_vote_in`).

import { t } from "../i18n/locale.svelte";
import type { MessageKey } from "../i18n/vi";
import type { Base } from "../protocol/Base";
import type { Fraction } from "../protocol/Fraction";
import type { LegalSource } from "../protocol/LegalSource";
import type { MajorityRule } from "../protocol/MajorityRule";
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

/** The caller's recorded ballot in a poll, from the server's `my_ballots` (its choice `null` in a secret poll). */
export function recordedBallot(ballots: readonly MyBallot[], pollId: number): MyBallot | null {
  return ballots.find((ballot) => ballot.poll_id === pollId) ?? null;
}

/** One line of a tally: which choice and how many chose it. */
export type TallyRow = { choice: Choice; count: number };

export function tallyRows(tally: Tally): TallyRow[] {
  return CHOICES.map((choice) => ({ choice, count: tally[choice] }));
}

const FRACTION_WORDS: Readonly<Record<string, MessageKey>> = {
  "1/2": "rule.half",
  "2/3": "rule.twoThirds",
  "3/4": "rule.threeQuarters",
};

const BASE_WORDS: Readonly<Record<Base, MessageKey>> = {
  all_members: "rule.base.all_members",
  present: "rule.base.present",
  cast: "rule.base.cast",
  yes_no: "rule.base.yes_no",
};

/** A fraction in words where it has them ("nửa", "hai phần ba"), else as n/d. */
export function fractionText(fraction: Fraction): string {
  const words = FRACTION_WORDS[`${fraction.numerator}/${fraction.denominator}`];
  return words ? t(words) : `${fraction.numerator}/${fraction.denominator}`;
}

/** A majority rule as the chair reads it: "Quá nửa tổng số đại biểu; cần ít nhất hai phần ba … có mặt". */
export function ruleText(rule: MajorityRule): string {
  const majority = t("rule.text", {
    comparison: t(rule.comparison === "more_than" ? "rule.moreThan" : "rule.atLeast"),
    fraction: fractionText(rule.threshold),
    base: t(BASE_WORDS[rule.base]),
  });
  const quorum = rule.quorum ? t("rule.quorum", { fraction: fractionText(rule.quorum) }) : t("rule.noQuorum");
  return `${majority}; ${quorum}`;
}

/** Where a rule comes from in law, its article when checked. */
export function sourceText(source: LegalSource): string {
  return source.article
    ? t("rule.sourceArticle", { law: source.law, article: source.article })
    : t("rule.source", { law: source.law });
}
