import { describe, expect, it } from "vitest";
import { mirrorView } from "../testing/fixtures";
import { loginPrefill, missingLoginFields, resumesMeeting } from "./login";

describe("login form", () => {
  const complete = { serverUrl: "http://127.0.0.1:8080", username: "db003", password: "secret" };

  it("accepts a complete form", () => {
    expect(missingLoginFields(complete)).toBe(false);
  });

  it.each(["serverUrl", "username", "password"] as const)("refuses an empty %s", (field) => {
    expect(missingLoginFields({ ...complete, [field]: "" })).toBe(true);
  });

  it("treats spaces as an empty address or username", () => {
    expect(missingLoginFields({ ...complete, serverUrl: "   " })).toBe(true);
    expect(missingLoginFields({ ...complete, username: " " })).toBe(true);
  });

  it("keeps a password of spaces, which may be a real password", () => {
    expect(missingLoginFields({ ...complete, password: "   " })).toBe(false);
  });
});

describe("login prefill", () => {
  const launch = { server_url: "http://launch:8080", username: "db001", reconfirm_after_minutes: 5 };

  it("starts from the launch defaults before any login", () => {
    expect(loginPrefill(launch, null)).toEqual(launch);
  });

  it("keeps the server last logged in to over the launch default", () => {
    expect(loginPrefill(launch, "http://10.0.0.5:8080")).toEqual({
      server_url: "http://10.0.0.5:8080",
      username: "db001",
      reconfirm_after_minutes: 5,
    });
  });

  it("names the person whose session ended for a re-login", () => {
    expect(loginPrefill(launch, "http://10.0.0.5:8080", "db003")).toEqual({
      server_url: "http://10.0.0.5:8080",
      username: "db003",
      reconfirm_after_minutes: 5,
    });
  });
});

describe("returning to the meeting after a login", () => {
  const followed = mirrorView();
  const as = (id: number) => ({ user: { ...followed.user, id }, meetings: [], may_create_meetings: false });

  it("brings back the person who was following the meeting", () => {
    expect(resumesMeeting(followed, as(followed.user.id))).toBe(true);
  });

  it("sends anyone else to the meeting list", () => {
    expect(resumesMeeting(followed, as(followed.user.id + 1))).toBe(false);
  });

  it("has nothing to return to when no meeting was followed", () => {
    expect(resumesMeeting(null, as(followed.user.id))).toBe(false);
  });
});
