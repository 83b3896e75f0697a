// The hall screen: follows one meeting over the same WebSocket protocol as every client
// (docs/protocol.md), read-only, with the code of a hall link; reconnects by itself.
//
// It keeps only what it shows: the meeting's title, the agenda's titles, the item under
// discussion, the speaking queue and the polls. A snapshot replaces all of it; events and tally
// frames move it on as the protocol says (§5.2); a reconnect subscribes again for a snapshot.
"use strict";

const params = new URLSearchParams(window.location.search);
const meetingId = Number(params.get("meeting"));
const code = params.get("code") || "";
let state = null;
let socket = null;
let retryMs = 500;
/** The server's clock minus this browser's, in ms, from the Date header of an answer. */
let clockOffsetMs = 0;

const $ = (id) => document.getElementById(id);

function connectionSays(status, text) {
  $("hall").dataset.connection = status;
  $("connection").textContent = text;
}

function send(message) {
  socket.send(JSON.stringify({ v: 1, ...message }));
}

async function readServerClock() {
  try {
    const answer = await fetch("/api/health", { cache: "no-store" });
    const date = Date.parse(answer.headers.get("date") || "");
    if (!Number.isNaN(date)) clockOffsetMs = date - Date.now();
  } catch {
    // The laptop's own clock then; the timer is still right to within the clocks' gap.
  }
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws`);
  socket.onopen = () => send({ type: "authenticate", token: code });
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = () => {
    connectionSays("reconnecting", "Mất kết nối — đang kết nối lại… / Reconnecting…");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

function receive(frame) {
  switch (frame.type) {
    case "welcome":
      send({ type: "subscribe", meeting_id: meetingId, since_seq: null });
      break;
    case "snapshot":
      state = frame.state;
      render();
      break;
    case "event":
      if (state) apply(frame.event);
      render();
      break;
    case "tally": {
      const poll = state?.polls.find((known) => known.id === frame.poll_id);
      if (poll && poll.state === "open") poll.tally = frame.tally;
      render();
      break;
    }
    case "live":
      retryMs = 500;
      connectionSays("live", "");
      break;
    case "error":
      if (frame.error.code === "unavailable") {
        // The server cannot reach its database for a moment: connect again and subscribe anew.
        socket.close();
      } else if (frame.id === null || frame.id === undefined) {
        connectionSays("refused", `Không mở được màn hình: ${frame.error.message_vi} / ${frame.error.message_en}`);
      }
      break;
    default:
      break;
  }
}

/** Moves the kept state on by one log event; what the screen does not show is skipped. */
function apply(event) {
  const floor = state.floor;
  switch (event.kind) {
    case "agenda_item_added":
      // A sub-item may come in the middle: it takes its position, those after move down.
      state.items.splice(event.item.position, 0, event.item);
      break;
    case "agenda_item_removed":
      state.items = state.items.filter((item) => item.id !== event.item_id);
      break;
    case "agenda_item_moved":
    case "agenda_reordered": {
      const moved = state.items.find((item) => item.id === event.item_id);
      if (moved && event.kind === "agenda_item_moved") moved.parent = event.parent;
      const place = new Map(event.item_ids.map((id, index) => [id, index]));
      state.items.sort((a, b) => (place.get(a.id) ?? 0) - (place.get(b.id) ?? 0));
      break;
    }
    case "agenda_item_edited": {
      const item = state.items.find((known) => known.id === event.item_id);
      if (item) item.title = event.title;
      break;
    }
    case "current_item_set":
      state.current_item = event.item_id;
      break;
    case "poll_opened":
      state.polls.push(event.poll);
      break;
    case "poll_closed": {
      const poll = state.polls.find((known) => known.id === event.poll_id);
      if (poll) Object.assign(poll, { state: "closed", tally: event.tally, outcome: event.outcome, line_outcomes: event.line_outcomes || [] });
      break;
    }
    case "poll_cancelled": {
      const poll = state.polls.find((known) => known.id === event.poll_id);
      if (poll) Object.assign(poll, { state: "cancelled", cancel_reason: event.reason });
      break;
    }
    case "speech_requested":
      if (!floor.queue.some((request) => request.user_id === event.request.user_id)) floor.queue.push(event.request);
      break;
    case "speech_request_withdrawn":
      floor.queue = floor.queue.filter((request) => request.user_id !== event.user_id);
      break;
    case "speakers_ordered": {
      const named = event.user_ids.map((id) => floor.queue.find((request) => request.user_id === id)).filter(Boolean);
      floor.queue = named.concat(floor.queue.filter((request) => !event.user_ids.includes(request.user_id)));
      break;
    }
    case "floor_granted":
      floor.queue = floor.queue.filter((request) => request.user_id !== event.speech.user_id);
      floor.speaking = event.speech;
      break;
    case "speech_ended":
      if (floor.speaking && floor.speaking.user_id === event.user_id) floor.speaking = null;
      break;
    default:
      break;
  }
}

function element(tag, attributes, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) made.setAttribute(name, value);
  for (const child of children) made.append(child);
  return made;
}

/** The item's number and title as the agenda shows them: "2.1. Báo cáo thẩm tra". */
function itemTitle(itemId) {
  let top = 0;
  let sub = 0;
  for (const item of state.items) {
    if (item.parent === null || item.parent === undefined) {
      top += 1;
      sub = 0;
    } else {
      sub += 1;
    }
    if (item.id === itemId) return `${item.parent ? `${top}.${sub}` : top}. ${item.title}`;
  }
  return "";
}

function minutesSeconds(seconds) {
  const whole = Math.abs(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function serverNowSeconds() {
  return Math.floor((Date.now() + clockOffsetMs) / 1000);
}

function render() {
  if (!state) return;
  $("meeting-title").textContent = state.meeting.title;
  document.title = `${state.meeting.title} — Màn hình hội trường`;
  $("current-item").textContent = state.current_item ? itemTitle(state.current_item) : "—";
  renderFloor();
  renderPoll();
}

function renderFloor() {
  const { speaking, queue } = state.floor;
  const speakingBox = $("speaking");
  speakingBox.replaceChildren();
  if (speaking) {
    // The clocks agree to the second at best: never more left than was given.
    const remaining = Math.min(speaking.seconds, speaking.started_at + speaking.seconds - serverNowSeconds());
    speakingBox.append(
      element("p", { class: "speaker-name", "data-user-id": String(speaking.user_id) }, speaking.name),
      element(
        "p",
        { class: remaining < 0 ? "timer over" : "timer", "data-testid": "hall-timer", "data-remaining": String(remaining) },
        minutesSeconds(remaining),
      ),
    );
  } else {
    speakingBox.append(element("p", { class: "muted" }, "Chưa có đại biểu phát biểu."));
  }
  $("queue").replaceChildren(...queue.map((request) => element("li", { "data-user-id": String(request.user_id) }, request.name)));
  $("queue-empty").hidden = queue.length > 0;
}

const CHOICES = [
  ["yes", "Tán thành"],
  ["no", "Không tán thành"],
  ["abstain", "Không biểu quyết"],
];
const OUTCOMES = { passed: "THÔNG QUA", rejected: "KHÔNG THÔNG QUA", no_quorum: "KHÔNG ĐỦ SỐ ĐẠI BIỂU CÓ MẶT" };
const LINE_WORDS = {
  election: { reached: "Trúng cử", not_reached: "Không trúng cử", tied: "Bằng phiếu — bầu lại" },
  yes_no_each: { reached: "Trúng cử", not_reached: "Không trúng cử", tied: "Bằng phiếu — bầu lại" },
  options: { reached: "Được chọn", not_reached: "Không được chọn", tied: "Bằng phiếu — biểu quyết lại" },
  confidence: { reached: "Tín nhiệm thấp quá tỉ lệ", not_reached: "Không quá tỉ lệ", tied: "" },
};
/** The mark a line is measured by (chosen, đồng ý, tín nhiệm thấp). */
const COUNTED = { options: 1, election: 1, yes_no_each: 0, confidence: 2 };

function bar(label, count, members, kind, extra) {
  const share = members > 0 ? Math.min(100, (100 * count) / members) : 0;
  return element(
    "div",
    { class: "bar-row", "data-testid": "hall-bar", "data-count": String(count) },
    element("span", {}, label, ...(extra ? [" — ", element("span", { class: "line-result" }, extra)] : [])),
    element("span", { class: "track" }, element("span", { class: `fill ${kind}`, style: `width: ${share}%` })),
    element("span", { class: "count" }, String(count)),
  );
}

function renderPoll() {
  const box = $("poll");
  const poll = [...state.polls].reverse().find((known) => known.state !== "cancelled");
  box.replaceChildren();
  if (!poll) {
    box.append(element("p", { class: "muted" }, "Chưa có biểu quyết."));
    return;
  }
  const tally = poll.tally;
  box.dataset.pollId = String(poll.id);
  box.dataset.pollState = poll.state;
  box.append(element("p", { class: "poll-title" }, poll.title));
  const form = poll.ballot?.type ?? "motion";
  if (poll.state === "open") {
    // While the poll is open the hall sees only the turnout: counts would sway the late voters.
    const cast = tally.yes + tally.no + tally.abstain + tally.sealed + (tally.counts?.[0]?.reduce((a, b) => a + b, 0) ?? 0);
    box.append(
      element("p", { class: "turnout", "data-testid": "hall-turnout", "data-cast": String(cast) }, `Đã bỏ phiếu: ${cast} / ${tally.members}`),
      element("p", { class: "muted" }, "Kết quả công bố khi kết thúc biểu quyết."),
    );
    return;
  }
  box.append(element("p", { class: `outcome ${poll.outcome}`, "data-testid": "hall-outcome", "data-outcome": poll.outcome }, `KẾT QUẢ: ${OUTCOMES[poll.outcome] ?? ""}`));
  const bars = element("div", { class: "bars", "data-testid": "hall-chart" });
  if (form === "motion") {
    for (const [choice, label] of CHOICES) bars.append(bar(label, tally[choice], tally.members, choice));
  } else {
    const lines = poll.ballot.options || poll.ballot.candidates || poll.ballot.persons || [];
    lines.forEach((line, index) => {
      const outcome = poll.line_outcomes?.[index];
      const words = outcome ? LINE_WORDS[form]?.[outcome] : "";
      bars.append(bar(line, tally.counts?.[index]?.[COUNTED[form]] ?? 0, tally.members, form === "confidence" ? "no" : "yes", words));
    });
  }
  box.append(bars, element("p", { class: "muted" }, `Tổng số đại biểu: ${tally.members}; có mặt: ${tally.present}`));
}

function tick() {
  $("clock").textContent = new Date(Date.now() + clockOffsetMs).toLocaleTimeString("vi-VN", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "Asia/Ho_Chi_Minh",
  });
  if (state?.floor.speaking) renderFloor();
}

if (!meetingId || !code) {
  connectionSays("refused", "Thiếu mã màn hình hội trường trong địa chỉ (…/hall?meeting=1&code=…).");
} else {
  readServerClock().then(() => {
    tick();
    setInterval(tick, 1000);
    connect();
  });
}
