import { describe, expect, it } from '@jest/globals';
import { parseQuantity } from '../../src/checks/quantity.js';
import {
  formatBinary,
  formatCpu,
  formatQuantity,
  formatQuantityPair,
  formatResources,
} from '../../src/checks/quantity-format.js';

describe('formatCpu', () => {
  it.each([
    [4, '4'],
    [0.5, '500m'],
    [0.25, '250m'],
    [0.025, '25m'],
    [1.5, '1500m'],
    [3.92, '3920m'],
    [16, '16'],
    [0, '0'],
    [-0.22, '-220m'],
    // Summed from many pods: float noise must not show.
    [0.1 + 0.2, '300m'],
  ])('writes %p cores as %s', (cores, text) => {
    expect(formatCpu(cores)).toBe(text);
  });
});

describe('formatBinary', () => {
  it.each([
    [4 * 2 ** 30, '4Gi'],
    [1.5 * 2 ** 30, '1.5Gi'],
    [256 * 2 ** 20, '256Mi'],
    [64 * 2 ** 20, '64Mi'],
    [1023 * 2 ** 20, '1023Mi'],
    [2 ** 40, '1Ti'],
    [512, '512'],
    // A node's allocatable as the kubelet reports it: 15831956Ki.
    [15831956 * 1024, '15.1Gi'],
    [1.2 * 2 ** 30, '1.2Gi'],
    [-(512 * 2 ** 20), '-512Mi'],
  ])('writes %p bytes as %s', (bytes, text) => {
    expect(formatBinary(bytes)).toBe(text);
  });

  it('never writes the raw byte count or a decimal unit', () => {
    expect(formatBinary(4294967296)).toBe('4Gi');
    expect(formatBinary(93478772582)).toBe('87.1Gi');
  });
});

describe('formatQuantity', () => {
  it.each([
    ['cpu', 0.5, '500m'],
    ['memory', 4 * 2 ** 30, '4Gi'],
    ['ephemeral-storage', 40 * 2 ** 30, '40Gi'],
    ['hugepages-2Mi', 512 * 2 ** 20, '512Mi'],
    ['pods', 110, '110'],
    ['nvidia.com/gpu', 1, '1'],
  ])('writes %s %p as %s', (resource, value, text) => {
    expect(formatQuantity(resource, value)).toBe(text);
  });

  it.each([
    ['cpu', ['500m', '1', '1500m', '3920m', '16', '25m', '100m']],
    ['memory', ['4Gi', '64Mi', '1.5Gi', '256Mi', '2Ti', '1Ki']],
    ['pods', ['110', '1']],
  ])('round-trips what a pod spec writes for %s', (resource, texts) => {
    for (const text of texts) {
      const value = parseQuantity(text) as number;
      expect(formatQuantity(resource, value)).toBe(text);
      expect(parseQuantity(formatQuantity(resource, value))).toBeCloseTo(value, 9);
    }
  });

  it('round-trips any amount within the precision it shows', () => {
    for (const bytes of [1, 1000, 123_456_789, 15831956 * 1024, 34_400_000_000, 7.3e12]) {
      const back = parseQuantity(formatQuantity('memory', bytes)) as number;
      expect(Math.abs(back - bytes) / bytes).toBeLessThan(0.005);
    }
    for (const cores of [0.001, 0.0251, 0.7, 1.25, 35.42]) {
      expect(Math.abs((parseQuantity(formatCpu(cores)) as number) - cores)).toBeLessThanOrEqual(0.0005);
    }
  });
});

describe('formatQuantityPair', () => {
  it('adds digits until two different amounts read differently', () => {
    expect(formatQuantityPair('memory', 3.999 * 2 ** 30, 4 * 2 ** 30)).toEqual(['3.999Gi', '4Gi']);
    expect(formatQuantityPair('memory', 2.44 * 2 ** 30, 4 * 2 ** 30)).toEqual(['2.44Gi', '4Gi']);
    expect(formatQuantityPair('memory', 4 * 2 ** 30, 4 * 2 ** 30)).toEqual(['4Gi', '4Gi']);
  });
});

describe('formatResources', () => {
  it('writes a pod requests line in Kubernetes units', () => {
    expect(formatResources({ cpu: 0.2, memory: 2 ** 30, 'nvidia.com/gpu': 1 })).toBe(
      'cpu 200m, memory 1Gi, nvidia.com/gpu 1',
    );
  });
});
