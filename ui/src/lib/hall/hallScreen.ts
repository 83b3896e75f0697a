// The hall screen's code as it is read aloud and typed on a TV remote, and until when it works in
// the hall's time. Pure, so tested directly.

import { VIETNAM_OFFSET_MS, meetingClock } from "../floor/floor";

/** The server makes codes in groups of four (docs/protocol.md §3.21). */
const GROUP_LENGTH = 4;

/**
 * The code in groups of four, in capitals, whatever dashes or spaces it came with. The server
 * takes it in any case, with or without its dashes: the groups are for the eye and the voice.
 */
export function codeGroups(code: string): string[] {
  const plain = code.replace(/[^0-9a-z]/gi, "").toUpperCase();
  const groups: string[] = [];
  for (let start = 0; start < plain.length; start += GROUP_LENGTH) {
    groups.push(plain.slice(start, start + GROUP_LENGTH));
  }
  return groups;
}

/**
 * Until when a code works (`expiresAt` in Unix seconds, the server's clock), in the hall's time:
 * "HH:MM" on 24 hours and "DD/MM/YYYY", so a laptop set to another time zone still says what the
 * server will do.
 */
export function expiryInHall(expiresAt: number): { time: string; date: string } {
  const ms = expiresAt * 1000;
  const vietnam = new Date(ms + VIETNAM_OFFSET_MS);
  const two = (value: number) => String(value).padStart(2, "0");
  return {
    // The timestamp is already on the server's clock: no offset to add.
    time: meetingClock(ms, 0),
    date: `${two(vietnam.getUTCDate())}/${two(vietnam.getUTCMonth() + 1)}/${vietnam.getUTCFullYear()}`,
  };
}
