import { describe, expect, it } from "vitest";
import { missingLoginFields } from "./login";

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
