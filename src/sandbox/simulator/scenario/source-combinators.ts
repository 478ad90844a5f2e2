import { lowerBoundBy, type FieldIndex, type ObjectSource, type SimObject } from './object-source.js';

/**
 * Building blocks for sources made in code (generated scenarios): objects built from their position on demand,
 * subsequences, and sources joined in key order. None of them copies or caches objects: a list builds exactly the
 * objects it walks.
 */

// Held in a module binding: under Jest's vm contexts each lookup of a global costs ~100× a local one, and `at` runs
// once per object listed.
const { isInteger } = Number;

function outside(index: number, size: number): RangeError {
  return new RangeError(`index ${index} is outside 0..${size - 1}`);
}

/** A source with no objects. */
export function emptySource(): ObjectSource {
  return {
    size: 0,
    at: (index) => {
      throw outside(index, 0);
    },
    keyAt: () => '',
    lowerBound: () => 0,
  };
}

/** What {@link generatedSource} builds from. */
export interface GeneratedSourceOptions {
  size: number;
  /** The storage key at a position, computed without building the object; must increase with the position. */
  keyAt(index: number): string;
  /** Builds the object at a position, afresh on every call (callers may keep or drop it). */
  build(index: number): SimObject;
  /** Optional indexes on selectable fields. */
  index?(field: string): FieldIndex | undefined;
}

/** A source whose objects are built on demand from their position: holds nothing but its functions. */
export function generatedSource(options: GeneratedSourceOptions): ObjectSource {
  const { size, keyAt, build } = options;
  const source: ObjectSource = {
    size,
    at: (index) => {
      if (!isInteger(index) || index < 0 || index >= size) throw outside(index, size);
      return build(index);
    },
    keyAt: (index) => (index >= 0 && index < size ? keyAt(index) : ''),
    lowerBound: (key) => lowerBoundBy(size, keyAt, key),
  };
  if (options.index) source.index = options.index;
  return source;
}

/**
 * The objects of `base` at positions `position(0) < position(1) < …`: a subsequence, so it keeps key order. For
 * an index whose values fall at a known stride (every 50th pod is Pending), without building anything to find them.
 */
export function subsequenceSource(base: ObjectSource, size: number, position: (index: number) => number): ObjectSource {
  const keyAt = (index: number): string => (index >= 0 && index < size ? base.keyAt(position(index)) : '');
  return {
    size,
    at: (index) => {
      if (!isInteger(index) || index < 0 || index >= size) throw outside(index, size);
      return base.at(position(index));
    },
    keyAt,
    lowerBound: (key) => lowerBoundBy(size, keyAt, key),
  };
}

/** Sources over consecutive key ranges, joined: every key of a part must sort before every key of the next. */
export function concatSources(parts: readonly ObjectSource[]): ObjectSource {
  const starts: number[] = [];
  let size = 0;
  for (const part of parts) {
    starts.push(size);
    size += part.size;
  }
  const locate = (index: number): { part: ObjectSource; local: number } | undefined => {
    if (index < 0 || index >= size) return undefined;
    // The last part starting at or before `index` (empty parts share a start with the next one).
    let low = 0;
    let high = parts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((starts[mid] ?? 0) <= index) low = mid;
      else high = mid - 1;
    }
    while (low < parts.length && index - (starts[low] ?? 0) >= (parts[low]?.size ?? 0)) low++;
    const part = parts[low];
    return part ? { part, local: index - (starts[low] ?? 0) } : undefined;
  };
  return {
    size,
    at: (index) => {
      const found = isInteger(index) ? locate(index) : undefined;
      if (!found) throw outside(index, size);
      return found.part.at(found.local);
    },
    keyAt: (index) => {
      const found = locate(index);
      return found ? found.part.keyAt(found.local) : '';
    },
    lowerBound: (key) => {
      let offset = 0;
      for (const part of parts) {
        const local = part.lowerBound(key);
        if (local < part.size) return offset + local;
        offset += part.size;
      }
      return size;
    },
  };
}

/**
 * Two sources whose keys interleave (no key in both), merged in key order. Random access finds how many of `a`'s
 * objects come before a position by binary search; walking forward, as lists do, costs one key comparison a step.
 */
export function mergeSources(a: ObjectSource, b: ObjectSource): ObjectSource {
  const size = a.size + b.size;
  /** The merged position of `a`'s object at `x`: `x` plus the objects of `b` that sort before it. */
  const positionOfA = (x: number): number => x + b.lowerBound(a.keyAt(x));
  let cursor = { index: -1, fromA: 0 };
  /** How many of `a`'s objects sit before merged position `index`. */
  const countA = (index: number): number => {
    if (index === cursor.index) return cursor.fromA;
    let fromA: number;
    if (index === cursor.index + 1 && cursor.index >= 0) {
      // One step forward from the last position read: it held either a's or b's next object.
      const previous = cursor.index;
      const previousFromA = cursor.fromA;
      const aKey = previousFromA < a.size ? a.keyAt(previousFromA) : undefined;
      const bIndex = previous - previousFromA;
      const bKey = bIndex < b.size ? b.keyAt(bIndex) : undefined;
      fromA = aKey !== undefined && (bKey === undefined || aKey < bKey) ? previousFromA + 1 : previousFromA;
    } else {
      let low = 0;
      let high = a.size;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (positionOfA(mid) < index) low = mid + 1;
        else high = mid;
      }
      fromA = low;
    }
    cursor = { index, fromA };
    return fromA;
  };
  /** The object at a merged position is the smaller of a's and b's next ones. */
  const locate = (index: number): { source: ObjectSource; local: number } => {
    const fromA = countA(index);
    const fromB = index - fromA;
    if (fromA < a.size && (fromB >= b.size || a.keyAt(fromA) < b.keyAt(fromB))) return { source: a, local: fromA };
    return { source: b, local: fromB };
  };
  return {
    size,
    at: (index) => {
      if (!isInteger(index) || index < 0 || index >= size) throw outside(index, size);
      const found = locate(index);
      return found.source.at(found.local);
    },
    keyAt: (index) => {
      if (index < 0 || index >= size) return '';
      const found = locate(index);
      return found.source.keyAt(found.local);
    },
    lowerBound: (key) => a.lowerBound(key) + b.lowerBound(key),
  };
}

/** The same source with indexes on selectable fields attached. */
export function withIndex(source: ObjectSource, index: (field: string) => FieldIndex | undefined): ObjectSource {
  return { ...source, index };
}
