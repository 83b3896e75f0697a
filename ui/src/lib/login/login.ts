// Checks of the login form that happen before anything is sent, and what the form starts with.

import type { AppDefaults, LoginResult, MirrorView } from "../backend";

export type LoginFields = { serverUrl: string; username: string; password: string };

/** True when a field the server needs is empty (spaces count as empty, except in passwords). */
export function missingLoginFields(fields: LoginFields): boolean {
  return fields.serverUrl.trim() === "" || fields.username.trim() === "" || fields.password === "";
}

/**
 * What the login form starts with. The server this app last logged in to comes before the launch
 * default, because that is the one the person really uses; `username` is given for a re-login,
 * which is always the person whose session ended.
 */
export function loginPrefill(launch: AppDefaults, lastServerUrl: string | null, username?: string): AppDefaults {
  return { ...launch, server_url: lastServerUrl ?? launch.server_url, username: username ?? launch.username };
}

/**
 * Whether a login brings the person back into the meeting they were following: only the same
 * person does (the Rust side then resumes the meeting and sends what waited); anyone else starts
 * from the meeting list.
 */
export function resumesMeeting(followed: MirrorView | null, result: LoginResult): boolean {
  return followed !== null && followed.user.id === result.user.id;
}
