// The words for a person's part in a meeting.

import type { MessageKey } from "../i18n/vi";
import type { Role } from "../protocol/Role";

const ROLE_LABELS: Readonly<Record<Role, MessageKey>> = {
  chair: "role.chair",
  secretariat: "role.secretariat",
  delegate: "role.delegate",
};

export function roleLabel(role: Role): MessageKey {
  return ROLE_LABELS[role];
}
