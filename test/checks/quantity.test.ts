import { describe, expect, it } from '@jest/globals';
import { addPodRequests, parseQuantity, podRequests } from '../../src/checks/quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['3920m', 3.92],
    ['4', 4],
    ['0.5', 0.5],
    ['15Gi', 15 * 2 ** 30],
    ['16264956Ki', 16264956 * 1024],
    ['1M', 1e6],
    ['1e3', 1000],
    ['110', 110],
    ['100k', 100_000],
    ['.5', 0.5],
  ])('reads %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'lots', '4 cores', '1.2.3', '5Xi'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('podRequests', () => {
  it('sums containers and takes the largest init container when it is bigger', () => {
    const requests = podRequests({
      containers: [
        { resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { resources: { requests: { cpu: '250m' } } },
      ],
      initContainers: [{ resources: { requests: { cpu: '2', memory: '256Mi' } } }],
    });
    expect(requests.cpu).toBe(2);
    expect(requests.memory).toBe(2 ** 30);
  });
});

describe('podRequests with sidecars and overhead', () => {
  it('adds sidecars to the app containers, counts init containers with the sidecars before them, and adds overhead', () => {
    const requests = podRequests({
      containers: [{ resources: { requests: { cpu: '1' } } }],
      initContainers: [
        { restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
        { resources: { requests: { cpu: '2' } } },
      ],
      overhead: { cpu: '250m' },
    });
    // max(1 + 0.5, 0.5 + 2) + 0.25
    expect(requests.cpu).toBeCloseTo(2.75, 9);
  });
});

describe('addPodRequests', () => {
  it.each([
    ['app containers only', { containers: [{ resources: { requests: { cpu: '250m', memory: '1Gi' } } }, {}] }],
    ['a value that is not a quantity', { containers: [{ resources: { requests: { cpu: 'lots', memory: '64Mi' } } }] }],
    [
      'init containers and sidecars',
      {
        containers: [{ resources: { requests: { cpu: '1' } } }],
        initContainers: [
          { restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
          { resources: { requests: { cpu: '2' } } },
        ],
      },
    ],
    ['overhead', { containers: [{ resources: { requests: { cpu: '1' } } }], overhead: { cpu: '250m' } }],
    ['nulls where Go writes them', { containers: [{ resources: null }], initContainers: null, overhead: null }],
  ])('adds what podRequests counts: %s', (_name, spec) => {
    const into = { cpu: 1, pods: 3 };
    const expected = { ...into };
    for (const [name, value] of Object.entries(podRequests(spec))) {
      expected[name as keyof typeof expected] = (expected[name as keyof typeof expected] ?? 0) + value;
    }
    expect(addPodRequests(into, spec)).toEqual(expected);
  });
});
