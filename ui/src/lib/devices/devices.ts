// The councillors' laptops as the secretariat reads them: each laptop's name, whose it is, when
// and from where it last logged in, whether it was revoked, and the words of the confirmation
// before revoking one. Pure, so tested directly.

import type { Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import type { DeviceView } from "../protocol/DeviceView";

/** A message in the current language, as `t` from the locale gives it. */
export type Translate = (key: MessageKey, params?: Params) => string;

/** A moment given in Unix seconds, "HH:MM dd/mm/yyyy" on 24 hours in this computer's time zone. */
export function deviceTime(unixSeconds: number): string {
  const when = new Date(unixSeconds * 1000);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(when.getHours())}:${two(when.getMinutes())} ${two(when.getDate())}/${two(when.getMonth() + 1)}/${when.getFullYear()}`;
}

/** One laptop as the panel shows it, every text in the current language. */
export type DeviceRow = {
  id: string;
  /** The laptop's name; a word for one that gave none. */
  name: string;
  /** Its owner's full name, for the confirmation. */
  fullName: string;
  revoked: boolean;
  /** "Người dùng: Nguyễn Văn Ba (db003)". */
  owner: string;
  /** "Đăng nhập lần cuối lúc 08:30 01/12/2026, từ địa chỉ 192.168.1.31". */
  lastLogin: string;
  /** "Đang dùng được" or "Đã thu hồi lúc …". */
  state: string;
  /** The revoke button's accessible name: its visible words, then which laptop. */
  revokeLabel: string;
  /** The question asked before revoking, and its two answers' accessible names. */
  question: string;
  yesLabel: string;
  noLabel: string;
};

/** The laptop's name as shown: trimmed, or a word when it is blank. */
export function deviceName(device: DeviceView, t: Translate): string {
  const name = device.name.trim();
  return name !== "" ? name : t("devices.unnamed");
}

/** The laptops as the panel shows them, in the server's order (the most recently used first). */
export function deviceRows(devices: readonly DeviceView[], t: Translate): DeviceRow[] {
  return devices.map((device) => {
    const name = deviceName(device, t);
    const fullName = device.user.full_name.trim() || device.user.username;
    const revoked = device.revoked_at !== null;
    return {
      id: device.id,
      name,
      fullName,
      revoked,
      owner: t("devices.owner", { name: fullName, username: device.user.username }),
      lastLogin: t("devices.lastLogin", { time: deviceTime(device.last_login_at), address: device.last_address }),
      state: device.revoked_at !== null ? t("devices.revokedAt", { time: deviceTime(device.revoked_at) }) : t("devices.active"),
      revokeLabel: t("devices.revokeNamed", { name, full_name: fullName }),
      question: t("devices.confirm", { name, full_name: fullName }),
      yesLabel: t("devices.confirmYesNamed", { name, full_name: fullName }),
      noLabel: t("devices.confirmNoNamed", { name }),
    };
  });
}
