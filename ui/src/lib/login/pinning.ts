// Logging in to an `https://` server that is trusted only by its certificate's pinned fingerprint:
// the first time, the person compares the fingerprint with the one the meeting's secretariat shows
// and pins it; when the server shows another certificate than the pinned one, the person is warned
// and, only if the secretariat really changed it, compares and pins the new one. Pure: the backend
// and the questions to the person are parameters, so the whole flow is tested without a screen.
//
// Two rules hold on every path: nothing is pinned without the person's explicit "it matches", and
// the login is tried again at most once.

import { toAppError, type AppError, type LoginResult } from "../backend";
import type { LoginFields } from "./login";

/** The commands the flow needs, as `backend.ts` exports them. */
export type PinningBackend = {
  login: (serverUrl: string, username: string, password: string) => Promise<LoginResult>;
  probeServer: (serverUrl: string) => Promise<string>;
  pinServer: (serverUrl: string, fingerprint: string) => Promise<void>;
  pinnedFingerprint: (serverUrl: string) => Promise<string | null>;
};

/**
 * Asking the person to compare a fingerprint: `first` when this laptop has never connected to
 * the server, `changed` when the secretariat changed the server's certificate.
 */
export type PinQuestion = { server: string; fingerprint: string; reason: "first" | "changed" };

/**
 * What the warning about a changed certificate shows: the login's error, the fingerprint pinned
 * on this laptop and the one the server presents now (`null` when it could not be read).
 */
export type CertificateWarningView = {
  server: string;
  error: AppError;
  pinned: string | null;
  presented: string | null;
};

/** The person's answer to the warning: close it (the advice), or confirm a new certificate. */
export type WarningChoice = "close" | "repin";

/** The questions to the person; each resolves once they answered (the dialogs). */
export type PinningQuestions = {
  /** `true` only when the person said every group matches. */
  confirmPin: (question: PinQuestion) => Promise<boolean>;
  warnChanged: (warning: CertificateWarningView) => Promise<WarningChoice>;
};

/**
 * How the login ended: logged in; `not_confirmed` when the person did not confirm a fingerprint
 * (nothing pinned, nothing sent); `failed` with the error to show like any login error.
 */
export type PinnedLogin =
  | { kind: "logged_in"; result: LoginResult }
  | { kind: "not_confirmed" }
  | { kind: "failed"; error: AppError };

/** The fingerprint's groups of four hex digits, in order. */
export function fingerprintGroups(text: string): string[] {
  return text.split(/\s+/).filter((group) => group !== "");
}

/** The fingerprint as it is shown: lines of 4 groups (4 lines for a SHA-256 fingerprint). */
export function fingerprintLines(text: string): string[][] {
  const groups = fingerprintGroups(text);
  const lines: string[][] = [];
  for (let start = 0; start < groups.length; start += 4) lines.push(groups.slice(start, start + 4));
  return lines;
}

/** Whether two fingerprints are the same, however they were spaced or cased. */
export function sameFingerprint(a: string, b: string): boolean {
  const digits = (text: string) => text.replace(/[\s:]/g, "").toUpperCase();
  return digits(a) === digits(b);
}

/** Whether the warning may offer to confirm a new certificate: only one that was read and is new. */
export function mayRepin(warning: CertificateWarningView): boolean {
  return warning.presented !== null && (warning.pinned === null || !sameFingerprint(warning.pinned, warning.presented));
}

/** `action`'s result, or its rejection as an {@link AppError}. */
async function attempt<T>(action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  try {
    return { ok: true, value: await action() };
  } catch (reason) {
    return { ok: false, error: toAppError(reason) };
  }
}

/**
 * Logs in with `fields`, asking the person to compare and pin the server's fingerprint when the
 * server needs it. Never rejects: every way it ends is a {@link PinnedLogin}.
 */
export async function loginWithPinning(
  fields: LoginFields,
  backend: PinningBackend,
  questions: PinningQuestions,
): Promise<PinnedLogin> {
  const server = fields.serverUrl;
  const logIn = async (): Promise<PinnedLogin> => {
    const tried = await attempt(() => backend.login(server, fields.username, fields.password));
    return tried.ok ? { kind: "logged_in", result: tried.value } : { kind: "failed", error: tried.error };
  };
  /** Pins `fingerprint` once the person confirmed it, then tries the login the one more time. */
  const confirmPinAndRetry = async (question: PinQuestion): Promise<PinnedLogin> => {
    if (!(await questions.confirmPin(question))) return { kind: "not_confirmed" };
    const pinned = await attempt(() => backend.pinServer(server, question.fingerprint));
    if (!pinned.ok) return { kind: "failed", error: pinned.error };
    return logIn();
  };

  const first = await logIn();
  if (first.kind !== "failed") return first;

  if (first.error.code === "certificate_not_pinned") {
    const probed = await attempt(() => backend.probeServer(server));
    if (!probed.ok) return { kind: "failed", error: probed.error };
    return confirmPinAndRetry({ server, fingerprint: probed.value, reason: "first" });
  }

  if (first.error.code === "certificate_changed") {
    // What the warning can show; either may be unknown (the server may have gone, or refuse).
    const pinned = await attempt(() => backend.pinnedFingerprint(server));
    const presented = await attempt(() => backend.probeServer(server));
    const warning: CertificateWarningView = {
      server,
      error: first.error,
      pinned: pinned.ok ? pinned.value : null,
      presented: presented.ok ? presented.value : null,
    };
    const choice = await questions.warnChanged(warning);
    if (choice !== "repin" || !mayRepin(warning) || warning.presented === null) return first;
    return confirmPinAndRetry({ server, fingerprint: warning.presented, reason: "changed" });
  }

  return first;
}
