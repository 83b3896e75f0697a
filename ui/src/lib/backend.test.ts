import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  auditPage,
  saveAuditCsv,
  castBallot,
  castMarks,
  endSpeech,
  listDevices,
  listOpinions,
  saveOpinionsCsv,
  sendOpinion,
  exportAnnotated,
  grantFloor,
  login,
  onDeviceRevoked,
  onMirrorChanged,
  pinServer,
  pinnedFingerprint,
  probeServer,
  openDocument,
  pageText,
  openMeeting,
  openPoll,
  orderSpeakers,
  presentPage,
  removeRulePreset,
  revokeDevice,
  requestToSpeak,
  setCurrentItem,
  setPresenter,
  setRulePreset,
  stopPresenting,
  pageImageUrl,
  thumbnailUrl,
  toAppError,
  type AppError,
  type MirrorView,
  type VaultOwner,
  unlock,
  vaultOwner,
  withdrawSpeechRequest,
} from "./backend";
import { errorText } from "./errors";
import type { DeviceList } from "./protocol/DeviceList";
import { councilPresets, mirrorView } from "./testing/fixtures";

// Tauri's mocks install themselves on `window`; the Node test environment only has `globalThis`.
beforeAll(() => {
  Object.assign(globalThis, { window: globalThis });
});

afterEach(() => clearMocks());

/** Records every command the UI sends and answers with `answer`. */
function recordCalls(answer: (command: string) => unknown = () => null) {
  const calls: { command: string; args: unknown }[] = [];
  mockIPC((command, args) => {
    calls.push({ command, args });
    return answer(command);
  });
  return calls;
}

const wrongPassword: AppError = {
  code: "wrong_credentials",
  message_vi: "Tên đăng nhập hoặc mật khẩu không đúng",
  message_en: "Wrong username or password",
  detail: "",
};

describe("commands", () => {
  it("ask for a server's fingerprint, pin it and read the pin back, in the names the Rust side reads", async () => {
    const fingerprint = "AB12 CD34 EF56 7890 AB12 CD34 EF56 7890 AB12 CD34 EF56 7890 AB12 CD34 EF56 7890";
    let pinned: string | null = null;
    const calls = recordCalls((command) => {
      if (command === "probe_server") return fingerprint;
      if (command === "pin_server") pinned = fingerprint;
      if (command === "pinned_fingerprint") return pinned;
      return null;
    });
    expect(await pinnedFingerprint("https://10.0.0.5:8443")).toBeNull();
    expect(await probeServer("https://10.0.0.5:8443")).toBe(fingerprint);
    expect(await pinServer("https://10.0.0.5:8443", fingerprint)).toBeNull();
    expect(await pinnedFingerprint("https://10.0.0.5:8443")).toBe(fingerprint);
    expect(calls).toEqual([
      { command: "pinned_fingerprint", args: { serverUrl: "https://10.0.0.5:8443" } },
      { command: "probe_server", args: { serverUrl: "https://10.0.0.5:8443" } },
      { command: "pin_server", args: { serverUrl: "https://10.0.0.5:8443", fingerprint } },
      { command: "pinned_fingerprint", args: { serverUrl: "https://10.0.0.5:8443" } },
    ]);
  });

  it("ask whose the locked laptop is and unlock it with the password, in the names the Rust side reads", async () => {
    const owner: VaultOwner = { server_url: "https://10.0.0.5:8443", user_id: 3, username: "db003", full_name: "Nguyễn Văn Ba" };
    const calls = recordCalls((command) => (command === "vault_owner" ? owner : null));
    expect(await vaultOwner()).toEqual(owner);
    expect(await unlock("mật khẩu")).toBeNull();
    expect(calls).toEqual([
      { command: "vault_owner", args: {} },
      { command: "unlock", args: { password: "mật khẩu" } },
    ]);
    const wrong: AppError = { code: "wrong_password", message_vi: "Mật khẩu không đúng", message_en: "The password is not right", detail: "" };
    mockIPC(() => {
      throw wrong;
    });
    await expect(unlock("sai")).rejects.toEqual(wrong);
  });

  it("reject a login to a server whose certificate is not pinned, or changed, with the Rust side's error", async () => {
    const changed: AppError = {
      code: "certificate_changed",
      message_vi: "CẢNH BÁO: chứng chỉ của máy chủ đã thay đổi — có thể có kẻ mạo danh máy chủ. Ứng dụng không gửi gì. Hãy báo ngay cho thư ký kỳ họp",
      message_en: "WARNING: the server's certificate has changed — someone may be impersonating the server. Nothing was sent. Tell the meeting's secretariat at once",
      detail: "",
    };
    mockIPC(() => {
      throw changed;
    });
    await expect(login("https://10.0.0.5:8443", "db003", "pw")).rejects.toEqual(changed);
    const unreachable: AppError = { code: "server_unreachable", message_vi: "Không kết nối được máy chủ", message_en: "Server unreachable", detail: "refused" };
    mockIPC(() => {
      throw unreachable;
    });
    await expect(probeServer("https://10.0.0.5:8443")).rejects.toEqual(unreachable);
  });

  it("send their arguments in the camelCase names Tauri maps to the Rust parameters", async () => {
    const calls = recordCalls(() => ({ user: mirrorView().user, meetings: [] }));
    await login("http://127.0.0.1:1", "db003", "pw");
    await openMeeting(7);
    await openDocument(12);
    await openDocument(12, 1);
    await pageText("ab".repeat(32), 3, "phong hop");
    await castBallot(4, "abstain");
    await openPoll(3, "Biểu quyết thông qua");
    await openPoll(3, "Miễn nhiệm", "dismissal", 120, "secret");
    await setRulePreset(councilPresets()[1]);
    await removeRulePreset("dismissal");
    await exportAnnotated(12, false);
    await exportAnnotated(12, true, 1);
    expect(calls).toEqual([
      { command: "login", args: { serverUrl: "http://127.0.0.1:1", username: "db003", password: "pw" } },
      { command: "open_meeting", args: { meetingId: 7 } },
      { command: "open_document", args: { documentId: 12, revision: null } },
      { command: "open_document", args: { documentId: 12, revision: 1 } },
      { command: "page_text", args: { sha256: "ab".repeat(32), page: 3, query: "phong hop" } },
      { command: "cast_ballot", args: { pollId: 4, choice: "abstain" } },
      {
        command: "open_poll",
        args: {
          form: {
            itemId: 3,
            title: "Biểu quyết thông qua",
            preset: null,
            durationSeconds: null,
            secrecy: "named",
            quorumOverride: null,
            changeable: false,
            ballot: null,
          },
        },
      },
      {
        command: "open_poll",
        args: {
          form: {
            itemId: 3,
            title: "Miễn nhiệm",
            preset: "dismissal",
            durationSeconds: 120,
            secrecy: "secret",
            quorumOverride: null,
            changeable: false,
            ballot: null,
          },
        },
      },
      { command: "set_rule_preset", args: { preset: councilPresets()[1] } },
      { command: "remove_rule_preset", args: { presetId: "dismissal" } },
      { command: "export_annotated", args: { documentId: 12, flatten: false, revision: null } },
      { command: "export_annotated", args: { documentId: 12, flatten: true, revision: 1 } },
    ]);
  });

  it("send a ballot of marks and a poll's ballot form as the Rust side reads them", async () => {
    const calls = recordCalls(() => null);
    const election = { type: "election" as const, candidates: ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"], seats: 2 };
    await castMarks(8, [1, 0, 1]);
    await openPoll(3, "Bầu Ủy viên Thường trực", "resolution", null, "secret", null, false, election);
    await openPoll(3, "Biểu quyết", null, null, "named", null, true, { type: "motion" });
    expect(calls).toEqual([
      { command: "cast_marks", args: { pollId: 8, marks: [1, 0, 1] } },
      {
        command: "open_poll",
        args: {
          form: {
            itemId: 3,
            title: "Bầu Ủy viên Thường trực",
            preset: "resolution",
            durationSeconds: null,
            secrecy: "secret",
            quorumOverride: null,
            changeable: false,
            ballot: election,
          },
        },
      },
      {
        command: "open_poll",
        args: {
          form: {
            itemId: 3,
            title: "Biểu quyết",
            preset: null,
            durationSeconds: null,
            secrecy: "named",
            quorumOverride: null,
            changeable: true,
            ballot: null,
          },
        },
      },
    ]);
  });

  it("send the current item and the speaking queue's commands as the Rust side reads them", async () => {
    const calls = recordCalls(() => null);
    await setCurrentItem(3);
    await setCurrentItem(null);
    await requestToSpeak(3);
    await requestToSpeak(null);
    await withdrawSpeechRequest();
    await withdrawSpeechRequest(5);
    await orderSpeakers([5, 3, 9]);
    await grantFloor(5, 180);
    await endSpeech();
    expect(calls).toEqual([
      { command: "set_current_item", args: { itemId: 3 } },
      { command: "set_current_item", args: { itemId: null } },
      { command: "request_to_speak", args: { itemId: 3 } },
      { command: "request_to_speak", args: { itemId: null } },
      { command: "withdraw_speech_request", args: { userId: null } },
      { command: "withdraw_speech_request", args: { userId: 5 } },
      { command: "order_speakers", args: { userIds: [5, 3, 9] } },
      { command: "grant_floor", args: { userId: 5, seconds: 180 } },
      { command: "end_speech", args: {} },
    ]);
  });

  it("send the presenter's commands as the Rust side reads them", async () => {
    const calls = recordCalls(() => null);
    await setPresenter(5);
    await setPresenter(null);
    await presentPage(21, 0);
    await presentPage(21, 6);
    await stopPresenting();
    expect(calls).toEqual([
      { command: "set_presenter", args: { userId: 5 } },
      { command: "set_presenter", args: { userId: null } },
      { command: "present_page", args: { documentId: 21, page: 0 } },
      { command: "present_page", args: { documentId: 21, page: 6 } },
      { command: "stop_presenting", args: {} },
    ]);
  });

  it("send an opinion as the Rust side's request, its fields in snake_case, and list and save them", async () => {
    const sent = {
      id: 4,
      user: mirrorView().user,
      item_id: 2,
      document_id: 21,
      text: "Đề nghị làm rõ nguồn vốn",
      sent_at: 1_790_000_000,
    };
    const calls = recordCalls((command) =>
      command === "send_opinion"
        ? sent
        : command === "list_opinions"
          ? [sent]
          : command === "save_opinions_csv"
            ? "/home/ct/Downloads/Góp ý kỳ họp 7.csv"
            : null,
    );
    const request = { id: "5b0f7a52-3c1e-4c55-9d0e-2f8f1c7d9a10", item_id: 2, document_id: 21, text: "Đề nghị làm rõ nguồn vốn" };
    expect(await sendOpinion(request)).toEqual(sent);
    await sendOpinion({ ...request, document_id: null });
    expect(await listOpinions()).toEqual([sent]);
    expect(await saveOpinionsCsv()).toBe("/home/ct/Downloads/Góp ý kỳ họp 7.csv");
    expect(calls).toEqual([
      { command: "send_opinion", args: { request } },
      { command: "send_opinion", args: { request: { ...request, document_id: null } } },
      { command: "list_opinions", args: {} },
      { command: "save_opinions_csv", args: {} },
    ]);
  });

  it("ask for the audit trail a page at a time and save it as CSV", async () => {
    const page = { entries: [], more: false };
    const calls = recordCalls((command) =>
      command === "audit_page" ? page : command === "save_audit_csv" ? "/home/tk/Downloads/Nhật ký kỳ họp 7.csv" : null,
    );
    expect(await auditPage(0)).toEqual(page);
    await auditPage(41);
    expect(await saveAuditCsv()).toBe("/home/tk/Downloads/Nhật ký kỳ họp 7.csv");
    expect(calls).toEqual([
      { command: "audit_page", args: { after: 0 } },
      { command: "audit_page", args: { after: 41 } },
      { command: "save_audit_csv", args: {} },
    ]);
  });

  it("list the members' laptops and revoke one by its id, each answered with the laptops", async () => {
    const laptop = {
      id: "lap-3f9c",
      name: "MAY-DB003",
      user: mirrorView().user,
      last_login_at: 1_790_000_000,
      last_address: "192.168.1.31",
      revoked_at: null,
    };
    const before: DeviceList = { devices: [laptop] };
    const after: DeviceList = { devices: [{ ...laptop, revoked_at: 1_790_000_600 }] };
    const calls = recordCalls((command) => (command === "list_devices" ? before : command === "revoke_device" ? after : null));
    expect(await listDevices()).toEqual(before);
    expect(await revokeDevice("lap-3f9c")).toEqual(after);
    expect(calls).toEqual([
      { command: "list_devices", args: {} },
      { command: "revoke_device", args: { device: "lap-3f9c" } },
    ]);
  });

  it("reject a refused revocation with the server's error", async () => {
    const refused: AppError = {
      code: "forbidden",
      message_vi: "Bạn không có quyền thực hiện thao tác này",
      message_en: "You are not allowed to do this",
      detail: "",
    };
    mockIPC(() => {
      throw refused;
    });
    await expect(revokeDevice("lap-3f9c")).rejects.toEqual(refused);
    await expect(listDevices()).rejects.toEqual(refused);
  });

  it("reject a refused opinion with the server's error", async () => {
    const refused: AppError = {
      code: "invalid_command",
      message_vi: "Góp ý không được để trống",
      message_en: "An opinion may not be blank",
      detail: "",
    };
    mockIPC(() => {
      throw refused;
    });
    await expect(sendOpinion({ id: "x", item_id: 2, document_id: null, text: " " })).rejects.toEqual(refused);
  });

  it("reject a refused presentation with the server's error", async () => {
    const refused: AppError = {
      code: "forbidden",
      message_vi: "Chỉ chủ tọa, thư ký hoặc người được chỉ định được trình chiếu",
      message_en: "Only the chair, the secretariat or the named presenter may present",
      detail: "",
    };
    mockIPC(() => {
      throw refused;
    });
    await expect(presentPage(21, 2)).rejects.toEqual(refused);
  });

  it("reject a refused floor command with the server's error, as every command does", async () => {
    const refused: AppError = {
      code: "forbidden",
      message_vi: "Chỉ chủ tọa hoặc thư ký được mời phát biểu",
      message_en: "Only the chair or the secretariat may give the floor",
      detail: "",
    };
    mockIPC(() => {
      throw refused;
    });
    await expect(grantFloor(5, 180)).rejects.toEqual(refused);
  });

  it("reject with the backend's AppError unchanged", async () => {
    mockIPC(() => {
      throw wrongPassword;
    });
    await expect(login("http://127.0.0.1:1", "db003", "wrong")).rejects.toEqual(wrongPassword);
  });

  it("turn a rejection that is not an AppError into one", async () => {
    mockIPC(() => {
      throw "command login not found";
    });
    await expect(login("http://x", "a", "b")).rejects.toEqual({
      code: "unexpected",
      message_vi: "",
      message_en: "",
      detail: "command login not found",
    });
  });
});

describe("mirror events", () => {
  it("hand every mirror-changed payload to the handler until unlistened", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: MirrorView[] = [];
    const unlisten = await onMirrorChanged((view) => seen.push(view));
    await emit("mirror-changed", mirrorView({ seq: 11 }));
    await emit("mirror-changed", mirrorView({ seq: 12, connection: "offline" }));
    unlisten();
    await emit("mirror-changed", mirrorView({ seq: 13 }));
    expect(seen.map((view) => [view.seq, view.connection])).toEqual([
      [11, "online"],
      [12, "offline"],
    ]);
  });
});

describe("device-revoked events", () => {
  const revoked: AppError = {
    code: "device_revoked",
    message_vi:
      "Máy tính này đã bị thu hồi quyền vào phòng họp; tài liệu của kỳ họp trên máy được xoá. Hãy liên hệ thư ký kỳ họp",
    message_en:
      "This computer's access to the meeting room was revoked; the meetings' documents on it are removed. Contact the meeting's secretariat",
    detail: "",
  };

  it("hand the error to the handler until unlistened", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: AppError[] = [];
    const unlisten = await onDeviceRevoked((error) => seen.push(error));
    await emit("device-revoked", revoked);
    unlisten();
    await emit("device-revoked", revoked);
    expect(seen).toEqual([revoked]);
  });

  it("turn a payload that is not an AppError into one, so the handler always has an error to show", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: AppError[] = [];
    const unlisten = await onDeviceRevoked((error) => seen.push(error));
    await emit("device-revoked", "revoked");
    unlisten();
    expect(seen).toEqual([{ code: "unexpected", message_vi: "", message_en: "", detail: "revoked" }]);
  });
});

describe("page images", () => {
  it("address the blob, page and width on the phonghop scheme", () => {
    mockConvertFileSrc("linux");
    expect(pageImageUrl("abc123", 2, 1000)).toBe("phonghop://localhost/abc123%2F2%2F1000");
    expect(thumbnailUrl("abc123", 2, 120)).toBe("phonghop://localhost/abc123%2F2%2F120%2Fthumbnail");
    mockConvertFileSrc("windows");
    expect(pageImageUrl("abc123", 0, 600)).toBe("http://phonghop.localhost/abc123%2F0%2F600");
  });
});

describe("error text", () => {
  it("shows the message in the current language", () => {
    expect(errorText(wrongPassword, "vi")).toBe("Tên đăng nhập hoặc mật khẩu không đúng");
    expect(errorText(wrongPassword, "en")).toBe("Wrong username or password");
  });

  it("falls back to a plain sentence when the backend gave no message", () => {
    const error = toAppError(new Error("boom"));
    expect(error.detail).toBe("boom");
    expect(errorText(error, "vi")).toBe("Đã có lỗi xảy ra. Vui lòng thử lại.");
  });
});
