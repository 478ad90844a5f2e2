import { describe, expect, it } from '@jest/globals';
import { timedRead } from '../../src/checks/timed-read.js';

describe('timedRead', () => {
  it('dates a reading at the middle of its request, read after the answer arrived', async () => {
    const clock = [1_000, 3_000];
    const order: string[] = [];
    const now = () => {
      order.push('clock');
      return new Date(clock.shift() as number);
    };
    const reading = await timedRead(now, async () => {
      order.push('read');
      return 'figures';
    });
    expect(reading).toEqual({ value: 'figures', atMs: 2_000 });
    expect(order).toEqual(['clock', 'read', 'clock']);
  });

  it('passes a failed read on', async () => {
    await expect(
      timedRead(
        () => new Date(0),
        () => Promise.reject(new Error('refused')),
      ),
    ).rejects.toThrow('refused');
  });
});
