import { describe, expect, it } from '@jest/globals';
import { isProcessAlive, isRemoved, pingRedis, startRedis } from '../../helpers/services.js';

describe('startRedis', () => {
  it('starts a private redis-server that answers PING, and stop() leaves nothing behind', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await pingRedis(redis.port)).toBe('+PONG');
      expect(isProcessAlive(redis.pid)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(isProcessAlive(redis.pid)).toBe(false);
    expect(isRemoved(redis.dataDir)).toBe(true);
    await expect(pingRedis(redis.port, 500)).rejects.toThrow();
    await redis.stop();
  });

  it('gives two servers started together different ports and directories', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.dataDir).not.toBe(b.dataDir);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
