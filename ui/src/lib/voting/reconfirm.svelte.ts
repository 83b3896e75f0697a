// Whether a secret ballot must first ask for the password again: a laptop left open in the hall
// must not be usable to vote in someone's name. Only the person's own input counts as use; the
// app's timers and mirror updates never do.
//
// A pause as long as the setting is remembered until the password is given again: the very press
// that casts the ballot is itself input, and must not make a laptop found unattended look in use.

/** The person's own input: what a hand on the laptop does. */
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

const MINUTE_MS = 60_000;

/** After how many minutes untouched a secret ballot asks again; 0 asks before every one. */
let afterMinutes = 5;
/** When the person last touched the app (or confirmed), by this laptop's clock. */
let lastActivity = Date.now();
/** A pause as long as the setting was seen and no password has been given since. */
let pausedSinceConfirmation = false;
/** Removes the listeners while they are installed: they are installed once. */
let stopWatching: (() => void) | null = null;

/** Sets the minutes untouched after which a secret ballot asks again (the launch option). */
export function setReconfirmAfter(minutes: number) {
  afterMinutes = Number.isFinite(minutes) && minutes > 0 ? minutes : 0;
}

function idleFor(now: number): boolean {
  return now - lastActivity >= afterMinutes * MINUTE_MS;
}

/** The person touched the app at `now`. */
export function noteActivity(now = Date.now()) {
  if (idleFor(now)) pausedSinceConfirmation = true;
  lastActivity = Math.max(lastActivity, now);
}

/** Whether a secret ballot cast at `now` must first ask for the password. */
export function needsReconfirmation(now = Date.now()): boolean {
  return afterMinutes === 0 || pausedSinceConfirmation || idleFor(now);
}

/** The password was just given again: the person is here, as of `now`. */
export function confirmed(now = Date.now()) {
  pausedSinceConfirmation = false;
  lastActivity = now;
}

/**
 * Starts noting the person's input on `target` (passive listeners); called once by the app shell.
 * A second call keeps the first listeners. Returns what removes them.
 */
export function watchActivity(target: Window = window): () => void {
  if (stopWatching) return stopWatching;
  const onActivity = () => noteActivity();
  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, onActivity, { passive: true, capture: true });
  const stop = () => {
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, onActivity, { capture: true });
    if (stopWatching === stop) stopWatching = null;
  };
  stopWatching = stop;
  return stop;
}
