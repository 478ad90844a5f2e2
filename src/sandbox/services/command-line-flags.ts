/**
 * `{ 'data-dir': '/tmp/x', port: 1, 'client-cert-auth': true }` → `['--data-dir', '/tmp/x', '--port', '1',
 * '--client-cert-auth']`. Undefined and false are left out; true gives a bare flag (Go's flag package does not take
 * a separate value for booleans).
 */
export function commandLineFlags(flags: Record<string, string | number | boolean | undefined>): string[] {
  return Object.entries(flags).flatMap(([flag, value]) => {
    if (value === undefined || value === false) return [];
    return value === true ? [`--${flag}`] : [`--${flag}`, String(value)];
  });
}
