// Component tests that call the Rust side: each `invoke` recorded with its arguments and answered
// by `answer`, and the page cleaned up afterwards.

import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { unmount, type mount } from "svelte";

/** The commands a component sent, in order. */
export type Calls = { command: string; args: unknown }[];

/** Answers every `invoke` with `answer(command, args)` and records it in the returned list. */
export function recordCalls(answer: (command: string, args: unknown) => unknown = () => null): Calls {
  const calls: Calls = [];
  mockIPC((command, args) => {
    calls.push({ command, args });
    return answer(command, args);
  });
  return calls;
}

/** Unmounts `component`, forgets the mocks and empties the page. */
export function cleanUp(component: ReturnType<typeof mount> | null) {
  if (component) unmount(component);
  clearMocks();
  document.body.innerHTML = "";
}

export function byTestId(id: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${id}"]`);
}
