// Props a test can change after mounting, as a parent component would: the mounted component
// follows every assignment (`props.view = next`, then `flushSync()`).

export function liveProps<T extends Record<string, unknown>>(initial: T): T {
  const props = $state(initial);
  return props;
}
