// Small builders of protocol values for logic tests, so each test spells out only what it is about.

import type { RulePreset } from "../protocol/RulePreset";
import type { Capabilities, MirrorView } from "../backend";
import type { AgendaItem } from "../protocol/AgendaItem";
import type { Document } from "../protocol/Document";
import type { MeetingState } from "../protocol/MeetingState";
import type { BallotForm } from "../protocol/BallotForm";
import type { Poll } from "../protocol/Poll";
import type { Speech } from "../protocol/Speech";
import type { SpeechRequest } from "../protocol/SpeechRequest";

export function document(id: number, itemId: number, pageCount = 3): Document {
  return {
    id,
    item_id: itemId,
    title: `Tờ trình ${id}`,
    file_name: `to-trinh-${id}.pdf`,
    sha256: "ab".repeat(32),
    size: 1024,
    page_count: pageCount,
    revision: 1,
    original: null,
    unrenderable_pages: [],
    changes: null,
    earlier: [],
  };
}

export function item(id: number, position: number, documents: Document[] = []): AgendaItem {
  return { id, position, parent: null, title: `Nội dung ${id}`, description: "", documents };
}

export function poll(id: number, itemId: number, state: Poll["state"] = "open"): Poll {
  return {
    id,
    item_id: itemId,
    title: `Biểu quyết ${id}`,
    ballot: { type: "motion" },
    secrecy: "named",
    changeable: false,
    quorum_override: null,
    cancel_reason: null,
    rule: {
      base: "all_members",
      threshold: { numerator: 1, denominator: 2 },
      comparison: "more_than",
      quorum: { numerator: 2, denominator: 3 },
    },
    basis: {
      preset: "resolution",
      name: "Thông qua nghị quyết",
      source: { law: "Luật Tổ chức chính quyền địa phương 2025", article: null },
    },
    closes_at: null,
    state,
    tally: { members: 34, present: 30, yes: 20, no: 3, abstain: 2, sealed: 0 },
    outcome: state === "closed" ? "passed" : null,
    line_outcomes: [],
  };
}

/**
 * A poll of marks asking `ballot`, no ballot cast yet: counts of zero on every line, one count per
 * mark its form knows.
 */
export function marksPoll(id: number, itemId: number, ballot: BallotForm, state: Poll["state"] = "open"): Poll {
  const lines =
    ballot.type === "options"
      ? ballot.options
      : ballot.type === "confidence"
        ? ballot.persons
        : ballot.type === "motion"
          ? []
          : ballot.candidates;
  const marks = ballot.type === "options" || ballot.type === "election" ? 2 : 3;
  return {
    ...poll(id, itemId, state),
    title: `Bỏ phiếu ${id}`,
    ballot,
    tally: { members: 34, present: 30, yes: 0, no: 0, abstain: 0, sealed: 0, counts: lines.map(() => Array(marks).fill(0)) },
    outcome: null,
  };
}

/** The presets of a People's Council sitting, as the server's defaults give them. */
export function councilPresets(): RulePreset[] {
  const preset = (id: string, name: string, numerator: number, comparison: "more_than" | "at_least"): RulePreset => ({
    id,
    name,
    rule: {
      base: "all_members",
      threshold: { numerator, denominator: numerator + 1 },
      comparison,
      quorum: { numerator: 2, denominator: 3 },
    },
    source: { law: "Luật Tổ chức chính quyền địa phương 2025", article: null },
  });
  return [
    preset("resolution", "Thông qua nghị quyết", 1, "more_than"),
    preset("dismissal", "Miễn nhiệm, bãi nhiệm; bãi nhiệm đại biểu", 2, "at_least"),
  ];
}

export function meeting(items: AgendaItem[], polls: Poll[] = []): MeetingState {
  return {
    meeting: {
      id: 7,
      title: "Kỳ họp thứ 12",
      location: "Hội trường A",
      starts_at: "2025-12-01T08:00",
      kind: "council_sitting",
    },
    items,
    polls,
    presets: councilPresets(),
    quorum: { numerator: 2, denominator: 3 },
    attendance: [],
    current_item: null,
    floor: { queue: [], speaking: null },
    presenter: null,
    presenting: null,
    agenda_published: true,
  };
}

/** A member waiting for the floor, asked at 08:30 Vietnam time on the sitting's day. */
export function speechRequest(userId: number, name: string, itemId: number | null = null): SpeechRequest {
  return { user_id: userId, name, item_id: itemId, requested_at: Date.parse("2026-12-01T01:30:00Z") / 1000 + userId };
}

/** A speech given `startedAt` (Unix seconds, the server's clock) for `seconds`. */
export function speech(userId: number, name: string, startedAt: number, seconds = 180, itemId: number | null = null): Speech {
  return { user_id: userId, name, item_id: itemId, started_at: startedAt, seconds };
}

/** A delegate's capabilities (votes, manages nothing), changed by `overrides`. */
export function capabilities(overrides: Partial<Capabilities> = {}): Capabilities {
  return {
    vote: true,
    edit_agenda: false,
    upload_documents: false,
    manage_polls: false,
    manage_members: false,
    mark_attendance: false,
    override_quorum: false,
    run_meeting: false,
    ...overrides,
  };
}

/** A delegate's view of meeting 7, online, with no poll to vote in, changed by `overrides`. */
export function mirrorView(overrides: Partial<MirrorView> = {}): MirrorView {
  return {
    meeting_id: 7,
    role: "delegate",
    user: { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" },
    connection: "online",
    seq: 10,
    state: meeting([item(1, 0)]),
    my_ballots: [],
    may: capabilities(),
    can_vote_in: [],
    yes_needed: [],
    new_revisions: [],
    server_clock_offset_ms: 0,
    ...overrides,
  };
}
