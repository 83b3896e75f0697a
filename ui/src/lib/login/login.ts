// Checks of the login form that happen before anything is sent.

export type LoginFields = { serverUrl: string; username: string; password: string };

/** True when a field the server needs is empty (spaces count as empty, except in passwords). */
export function missingLoginFields(fields: LoginFields): boolean {
  return fields.serverUrl.trim() === "" || fields.username.trim() === "" || fields.password === "";
}
