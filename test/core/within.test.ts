import { describe, expect, it } from '@jest/globals';
import { within } from '../../src/core/within.js';

describe('within', () => {
  it('gives the value that settles in time', async () => {
    await expect(within(Promise.resolve(42), 1_000)).resolves.toBe(42);
  });

  it('gives undefined for a rejection, without an unhandled rejection', async () => {
    await expect(within(Promise.reject(new Error('down')), 1_000)).resolves.toBeUndefined();
  });

  it('gives undefined past the deadline and hands the late value to onLate', async () => {
    let finish: (value: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const late = new Promise<string>((resolve) => {
      void within(slow, 5, resolve).then((value) => {
        expect(value).toBeUndefined();
        finish('claimed');
      });
    });
    await expect(late).resolves.toBe('claimed');
  });

  it('does not call onLate for a value in time', async () => {
    const calls: number[] = [];
    await within(Promise.resolve(1), 1_000, (value) => calls.push(value));
    expect(calls).toEqual([]);
  });
});
