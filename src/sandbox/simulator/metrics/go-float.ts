/**
 * Formats a number as Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which the Prometheus text format uses:
 * shortest round-trip digits, exponent form from 1e+06 up and below 1e-04 (`1.234567e+06`, `5e-05`).
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) {
    // JavaScript switches to exponent form only below 1e-6, so small numbers are already in the right shape here.
    return String(value);
  }
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
