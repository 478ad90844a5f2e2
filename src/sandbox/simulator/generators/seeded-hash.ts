import { floor, imul } from './intrinsics.js';
/**
 * Deterministic pseudo-randomness for generated scenarios: every value is a hash of a seed and an object's position,
 * so an object can be built again, alone and identical, whenever a list reaches it.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A 32-bit hash of integers (FNV-1a over the parts, then murmur3's finaliser). */
export function hash32(...parts: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    // Both 32-bit halves, so positions above 2^32 still differ.
    hash = imul(hash ^ (part | 0), 0x01000193);
    hash = imul(hash ^ floor(part / 0x1_0000_0000), 0x01000193);
  }
  return mix32(hash);
}

/** The i-th 32-bit word of a stream keyed by a hash: cheap, for hex and name strings longer than one word. */
function word(key: number, index: number): number {
  return index === 0 ? key : mix32(key ^ imul(index, 0x9e3779b9));
}

/** A number in [0, 1) from the parts. */
export function fraction(...parts: readonly number[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** The characters Kubernetes uses for generated name suffixes (`utilrand.String`): no vowels, no 0, 1 or 3. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** The same characters in byte order, so that encoding a larger number gives a later name. */
const SORTED_ALPHABET = [...NAME_ALPHABET].sort().join('');

/** `length` characters of the name alphabet, like a ReplicaSet's pod-template-hash or a pod's suffix. */
export function nameChars(length: number, ...parts: readonly number[]): string {
  const key = hash32(...parts);
  let text = '';
  for (let index = 0; text.length < length; index++) {
    let value = word(key, index);
    for (let digit = 0; digit < 6 && text.length < length; digit++) {
      text += NAME_ALPHABET[value % 27];
      value = floor(value / 27);
    }
  }
  return text;
}

/**
 * `length` name characters encoding `value` (0 ≤ value < 27^length) in byte order: larger values sort later, which
 * lets a generator give pods random-looking suffixes that still come in the order of their positions.
 */
export function orderedNameChars(value: number, length: number): string {
  let text = '';
  let rest = floor(value);
  for (let digit = 0; digit < length; digit++) {
    text = (SORTED_ALPHABET[rest % 27] ?? '2') + text;
    rest = floor(rest / 27);
  }
  return text;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex of `length` digits. */
export function hexChars(length: number, ...parts: readonly number[]): string {
  const key = hash32(...parts);
  let text = '';
  for (let index = 0; text.length < length; index++) {
    // By table, a byte at a time: Number#to`${16}` would dominate building a generated pod.
    const value = word(key, index);
    text +=
      (HEX_BYTES[value >>> 24] ?? '') +
      (HEX_BYTES[(value >>> 16) & 0xff] ?? '') +
      (HEX_BYTES[(value >>> 8) & 0xff] ?? '') +
      (HEX_BYTES[value & 0xff] ?? '');
  }
  return text.length === length ? text : text.slice(0, length);
}

/** A version-4-shaped UUID, as the API server gives objects. */
export function uuid(...parts: readonly number[]): string {
  const hex = hexChars(32, ...parts);
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
