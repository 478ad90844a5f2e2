/** `{ 'data-dir': '/tmp/x', port: 1 }` → `['--data-dir', '/tmp/x', '--port', '1']`; undefined values are left out. */
export function commandLineFlags(flags: Record<string, string | number | undefined>): string[] {
  return Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [`--${flag}`, String(value)]));
}
