// A councillors file's preview in words: what importing each line does, or why it cannot, as the
// server found it (`member_import.rs`); the summary line; and the checks before a commit is sent
// (no problem left, the new accounts' initial password). Pure, so each sentence is tested.

import type { MessageKey } from "../i18n/vi";
import type { Params } from "../i18n/translate";
import { roleLabel } from "../meeting/roles";
import type { ImportMembersResponse } from "../protocol/ImportMembersResponse";
import type { ImportOutcome } from "../protocol/ImportOutcome";
import type { ImportProblem } from "../protocol/ImportProblem";
import type { ImportRow } from "../protocol/ImportRow";

/** A message to translate: its key and the values of its placeholders. */
export type Message = { key: MessageKey; params: Params };

/** The shortest initial password the server accepts for new accounts (`MIN_PASSWORD`). */
export const MIN_PASSWORD = 8;

/** The most a file may weigh before it is read: 2 000 councillors are far less. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

const OUTCOME_TEXTS: Readonly<Record<ImportOutcome, MessageKey>> = {
  new_account: "members.outcome.new_account",
  new_member: "members.outcome.new_member",
  role_changed: "members.outcome.role_changed",
  unchanged: "members.outcome.unchanged",
  problem: "members.outcome.problem",
};

/** What importing a line does, in words ("Tạo tài khoản mới", …). */
export function outcomeText(outcome: ImportOutcome): MessageKey {
  return OUTCOME_TEXTS[outcome];
}

/** Why a line cannot be imported, in a sentence naming its line and what it found. */
export function problemMessage(row: ImportRow, problem: ImportProblem): Message {
  const line = row.line;
  switch (problem.code) {
    case "wrong_columns":
      return { key: "members.problem.wrong_columns", params: { line, found: problem.found } };
    case "missing_code":
      return { key: "members.problem.missing_code", params: { line } };
    case "bad_code":
      return { key: "members.problem.bad_code", params: { line, code: row.username } };
    case "missing_name":
      return { key: "members.problem.missing_name", params: { line } };
    case "bad_text":
      return { key: "members.problem.bad_text", params: { line } };
    case "unknown_role":
      return problem.given.trim() === ""
        ? { key: "members.problem.missing_role", params: { line } }
        : { key: "members.problem.unknown_role", params: { line, given: problem.given } };
    case "duplicate_code":
      return { key: "members.problem.duplicate_code", params: { line, code: row.username, firstLine: problem.first_line } };
  }
}

/** One line of the preview table, everything in it said in words. */
export type PreviewLine = {
  line: number;
  code: string;
  fullName: string;
  position: string;
  /** The role's label; `null` when the line's role could not be read. */
  role: MessageKey | null;
  outcome: ImportOutcome;
  /** What importing the line does, or its problem. */
  result: Message;
  /** The line cannot be imported. */
  isProblem: boolean;
  /** An account under this code has another name, which the import keeps. */
  existingName: Message | null;
};

export function previewLine(row: ImportRow): PreviewLine {
  const problem = row.outcome === "problem" || row.problem !== null;
  return {
    line: row.line,
    code: row.username,
    fullName: row.full_name,
    position: row.position,
    role: row.role ? roleLabel(row.role) : null,
    outcome: row.outcome,
    result: row.problem ? problemMessage(row, row.problem) : { key: outcomeText(row.outcome), params: {} },
    isProblem: problem,
    existingName: row.existing_name ? { key: "members.existingName", params: { name: row.existing_name } } : null,
  };
}

/** The lines that cannot be imported, each with its sentence, in the file's order. */
export function problemMessages(response: ImportMembersResponse): Message[] {
  return response.rows.flatMap((row) => (row.problem ? [problemMessage(row, row.problem)] : []));
}

/** How many lines an import would change (new accounts, new members, roles changed). */
export function changes(response: ImportMembersResponse): number {
  return response.rows.filter((row) => row.outcome !== "problem" && row.outcome !== "unchanged").length;
}

/** How many new accounts an import would make: they need an initial password. */
export function newAccounts(response: ImportMembersResponse): number {
  return response.rows.filter((row) => row.outcome === "new_account").length;
}

/** "35 dòng, 2 lỗi — chưa lưu gì": what a preview found, before anything is saved. */
export function summaryMessage(response: ImportMembersResponse): Message {
  const lines = response.rows.length;
  if (lines === 0) return { key: "members.summary.empty", params: {} };
  if (response.problems > 0) return { key: "members.summary.problems", params: { lines, problems: response.problems } };
  if (changes(response) === 0) return { key: "members.summary.nothing", params: { lines } };
  return { key: "members.summary.ready", params: { lines, changes: changes(response) } };
}

/** Whether "Nhập" may be pressed: no line has a problem and some line changes something. */
export function mayCommit(response: ImportMembersResponse): boolean {
  return response.problems === 0 && changes(response) > 0;
}

/**
 * Why the initial password cannot be sent with this import, or `null`: only a file that makes new
 * accounts needs one, of at least {@link MIN_PASSWORD} characters (as the server counts them).
 */
export function passwordProblem(response: ImportMembersResponse, password: string): Message | null {
  if (newAccounts(response) === 0) return null;
  if ([...password].length >= MIN_PASSWORD) return null;
  return { key: "members.passwordTooShort", params: { min: MIN_PASSWORD } };
}

/** What a committed import did: "Đã nhập N đại biểu", with those left as they were. */
export function committedMessage(response: ImportMembersResponse): Message {
  const unchanged = response.rows.filter((row) => row.outcome === "unchanged").length;
  return unchanged === 0
    ? { key: "members.imported", params: { count: changes(response) } }
    : { key: "members.importedSomeUnchanged", params: { count: changes(response), unchanged } };
}
