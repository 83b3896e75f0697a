// The login to a server trusted by its pinned certificate, without a screen: nothing is pinned
// without the person's "it matches", what is pinned is exactly what they compared, and the login is
// tried again at most once.

import { describe, expect, it } from "vitest";
import type { AppError, LoginResult } from "../backend";
import { mirrorView } from "../testing/fixtures";
import {
  fingerprintGroups,
  fingerprintLines,
  loginWithPinning,
  mayRepin,
  sameFingerprint,
  type CertificateWarningView,
  type PinningBackend,
  type PinQuestion,
  type WarningChoice,
} from "./pinning";

const SERVER = "https://10.0.0.5:8443";
const REAL = "AB12 CD34 EF56 7890 1122 3344 5566 7788 99AA BBCC DDEE FF00 0123 4567 89AB CDEF";
const OTHER = "0000 1111 2222 3333 4444 5555 6666 7777 8888 9999 AAAA BBBB CCCC DDDD EEEE FFFF";
const fields = { serverUrl: SERVER, username: "db003", password: "mật khẩu" };
const loggedIn: LoginResult = { user: mirrorView().user, meetings: [], may_create_meetings: false };

const refusal = (code: string, message_vi = "", message_en = ""): AppError =>
  ({ code, message_vi, message_en, detail: "" }) as AppError;
const notPinned = refusal("certificate_not_pinned", "Máy tính này chưa biết máy chủ này");
const changed = refusal(
  "certificate_changed",
  "CẢNH BÁO: chứng chỉ của máy chủ đã thay đổi — có thể có kẻ mạo danh máy chủ. Thông tin đăng nhập chưa được gửi đi. Hãy báo ngay cho thư ký kỳ họp",
  "WARNING: the server's certificate has changed — someone may be impersonating the server. Nothing was sent. Tell the meeting's secretariat at once",
);
const unreachable = refusal("server_unreachable", "Không kết nối được máy chủ");

type Step = { call: string; args: unknown[] };

/**
 * A fake backend: `login` answers with `logins` in turn (an error is thrown), the others as
 * given; every call is recorded in `steps`, in order.
 */
function fakeBackend(
  logins: (LoginResult | AppError)[],
  { probe = REAL as string | AppError, pinned = REAL as string | null | AppError, pin = null as AppError | null } = {},
) {
  const steps: Step[] = [];
  const answer = <T>(value: T | AppError): Promise<T> =>
    typeof value === "object" && value !== null && "code" in value ? Promise.reject(value) : Promise.resolve(value as T);
  const backend: PinningBackend = {
    login: (...args) => {
      steps.push({ call: "login", args });
      const next = logins.shift();
      if (next === undefined) throw new Error("login was tried more often than the test allows");
      return answer(next);
    },
    probeServer: (...args) => {
      steps.push({ call: "probe", args });
      return answer(probe);
    },
    pinServer: (...args) => {
      steps.push({ call: "pin", args });
      return pin ? Promise.reject(pin) : Promise.resolve();
    },
    pinnedFingerprint: (...args) => {
      steps.push({ call: "pinned", args });
      return answer(pinned);
    },
  };
  return { backend, steps };
}

/** The person's answers, and what they were asked. */
function person(pinAnswers: boolean[], warningAnswers: WarningChoice[] = []) {
  const pinQuestions: PinQuestion[] = [];
  const warnings: CertificateWarningView[] = [];
  return {
    pinQuestions,
    warnings,
    questions: {
      confirmPin: async (question: PinQuestion) => {
        pinQuestions.push(question);
        const next = pinAnswers.shift();
        if (next === undefined) throw new Error("the person was asked to pin more often than the test allows");
        return next;
      },
      warnChanged: async (warning: CertificateWarningView) => {
        warnings.push(warning);
        const next = warningAnswers.shift();
        if (next === undefined) throw new Error("the person was warned more often than the test allows");
        return next;
      },
    },
  };
}

describe("a fingerprint as people read it", () => {
  it("is 4 lines of 4 groups", () => {
    expect(fingerprintLines(REAL)).toEqual([
      ["AB12", "CD34", "EF56", "7890"],
      ["1122", "3344", "5566", "7788"],
      ["99AA", "BBCC", "DDEE", "FF00"],
      ["0123", "4567", "89AB", "CDEF"],
    ]);
    expect(fingerprintGroups(`  ${REAL.replaceAll(" ", "\n ")} `)).toHaveLength(16);
  });

  it("compares the same whatever the spacing or case", () => {
    expect(sameFingerprint(REAL, REAL.toLowerCase().replaceAll(" ", ""))).toBe(true);
    expect(sameFingerprint(REAL, OTHER)).toBe(false);
  });

  it("offers a re-pin only for a new fingerprint that was read", () => {
    const warning = { server: SERVER, error: changed, pinned: REAL, presented: OTHER };
    expect(mayRepin(warning)).toBe(true);
    expect(mayRepin({ ...warning, presented: null })).toBe(false);
    expect(mayRepin({ ...warning, presented: REAL })).toBe(false);
    expect(mayRepin({ ...warning, pinned: null })).toBe(true);
  });
});

describe("logging in with a pinned certificate", () => {
  it("logs in at once when the server is known, asking nothing", async () => {
    const { backend, steps } = fakeBackend([loggedIn]);
    const asked = person([]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "logged_in", result: loggedIn });
    expect(steps).toEqual([{ call: "login", args: [SERVER, "db003", "mật khẩu"] }]);
    expect(asked.pinQuestions).toEqual([]);
    expect(asked.warnings).toEqual([]);
  });

  it("the first time, shows the probed fingerprint and pins exactly it once confirmed, then logs in", async () => {
    const { backend, steps } = fakeBackend([notPinned, loggedIn]);
    const asked = person([true]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "logged_in", result: loggedIn });
    expect(asked.pinQuestions).toEqual([{ server: SERVER, fingerprint: REAL, reason: "first" }]);
    expect(steps).toEqual([
      { call: "login", args: [SERVER, "db003", "mật khẩu"] },
      { call: "probe", args: [SERVER] },
      { call: "pin", args: [SERVER, REAL] },
      { call: "login", args: [SERVER, "db003", "mật khẩu"] },
    ]);
  });

  it("pins nothing and logs in no more when the person cancels", async () => {
    const { backend, steps } = fakeBackend([notPinned]);
    const asked = person([false]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "not_confirmed" });
    expect(steps.map((step) => step.call)).toEqual(["login", "probe"]);
  });

  it("shows why when the server cannot be probed, asking nothing", async () => {
    const { backend, steps } = fakeBackend([notPinned], { probe: unreachable });
    const asked = person([]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "failed", error: unreachable });
    expect(steps.map((step) => step.call)).toEqual(["login", "probe"]);
  });

  it("does not log in when the pin could not be kept", async () => {
    const broken = refusal("internal", "Đã có lỗi trong ứng dụng");
    const { backend, steps } = fakeBackend([notPinned], { pin: broken });
    expect(await loginWithPinning(fields, backend, person([true]).questions)).toEqual({ kind: "failed", error: broken });
    expect(steps.map((step) => step.call)).toEqual(["login", "probe", "pin"]);
  });

  it("tries the login again only once, whatever the second answer", async () => {
    const { backend, steps } = fakeBackend([notPinned, notPinned]);
    const asked = person([true]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "failed", error: notPinned });
    expect(steps.map((step) => step.call)).toEqual(["login", "probe", "pin", "login"]);
    expect(asked.pinQuestions).toHaveLength(1);

    const again = fakeBackend([notPinned, changed]);
    const warned = person([true]);
    expect(await loginWithPinning(fields, again.backend, warned.questions)).toEqual({ kind: "failed", error: changed });
    expect(again.steps.map((step) => step.call)).toEqual(["login", "probe", "pin", "login"]);
    expect(warned.warnings).toEqual([]);
  });

  it("leaves every other error as it was, probing nothing", async () => {
    const wrong = refusal("wrong_credentials", "Tên đăng nhập hoặc mật khẩu không đúng");
    const { backend, steps } = fakeBackend([wrong]);
    expect(await loginWithPinning(fields, backend, person([]).questions)).toEqual({ kind: "failed", error: wrong });
    expect(steps.map((step) => step.call)).toEqual(["login"]);
  });
});

describe("a server showing another certificate than the pinned one", () => {
  it("warns with both fingerprints and, closed, sends nothing more", async () => {
    const { backend, steps } = fakeBackend([changed], { probe: OTHER });
    const asked = person([], ["close"]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "failed", error: changed });
    expect(asked.warnings).toEqual([{ server: SERVER, error: changed, pinned: REAL, presented: OTHER }]);
    expect(asked.pinQuestions).toEqual([]);
    expect(steps.map((step) => step.call)).toEqual(["login", "pinned", "probe"]);
  });

  it("pins the presented fingerprint only once the person confirmed it, then logs in", async () => {
    const { backend, steps } = fakeBackend([changed, loggedIn], { probe: OTHER });
    const asked = person([true], ["repin"]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "logged_in", result: loggedIn });
    expect(asked.pinQuestions).toEqual([{ server: SERVER, fingerprint: OTHER, reason: "changed" }]);
    expect(steps).toEqual([
      { call: "login", args: [SERVER, "db003", "mật khẩu"] },
      { call: "pinned", args: [SERVER] },
      { call: "probe", args: [SERVER] },
      { call: "pin", args: [SERVER, OTHER] },
      { call: "login", args: [SERVER, "db003", "mật khẩu"] },
    ]);
  });

  it("pins nothing when the person cancels the new fingerprint", async () => {
    const { backend, steps } = fakeBackend([changed], { probe: OTHER });
    expect(await loginWithPinning(fields, backend, person([false], ["repin"]).questions)).toEqual({ kind: "not_confirmed" });
    expect(steps.map((step) => step.call)).toEqual(["login", "pinned", "probe"]);
  });

  it("warns without the presented fingerprint when the probe fails, and then offers no re-pin", async () => {
    const { backend, steps } = fakeBackend([changed], { probe: unreachable });
    const asked = person([], ["repin"]);
    expect(await loginWithPinning(fields, backend, asked.questions)).toEqual({ kind: "failed", error: changed });
    expect(asked.warnings).toEqual([{ server: SERVER, error: changed, pinned: REAL, presented: null }]);
    expect(asked.pinQuestions).toEqual([]);
    expect(steps.map((step) => step.call)).toEqual(["login", "pinned", "probe"]);
  });

  it("warns even when the pinned fingerprint cannot be read", async () => {
    const { backend } = fakeBackend([changed], { probe: OTHER, pinned: refusal("internal") });
    const asked = person([], ["close"]);
    await loginWithPinning(fields, backend, asked.questions);
    expect(asked.warnings[0]).toMatchObject({ pinned: null, presented: OTHER });
  });
});
