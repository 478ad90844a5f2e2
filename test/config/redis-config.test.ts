import { describe, expect, it } from '@jest/globals';
import { RedisConfigSchema, hashTag } from '../../src/config/config-schema.js';
import { describeRedis } from '../../src/queue/redis-connection.js';

describe('redis settings: one server, Sentinel or Cluster', () => {
  it.each([
    ['{quorum}', 'quorum'],
    ['{quorum}:x', 'quorum'],
    ['q{a}{b}', 'a'],
    ['{}quorum', undefined],
    ['quorum', undefined],
    ['{quorum', undefined],
  ])('reads the hash tag of %s as Redis Cluster does', (key, tag) => {
    expect(hashTag(key)).toBe(tag);
  });

  it.each([
    [{ cluster: { nodes: ['redis://10.0.0.1:6379'] } }, undefined],
    [{ cluster: { nodes: ['redis://10.0.0.1:6379'] }, prefix: 'quorum' }, /prefix must start with a hash tag/],
    [{ cluster: { nodes: ['redis://10.0.0.1:6379'] }, prefix: 'q{x}' }, /prefix must start with a hash tag/],
    [{ cluster: { nodes: [] } }, /at least one cluster node/],
    [{ cluster: { nodes: ['http://10.0.0.1:6379'] } }, /a Redis node looks like/],
    [{ sentinel: { name: 'quorum', sentinels: ['redis://10.0.0.1:26379'] }, prefix: 'quorum' }, undefined],
    [
      { sentinel: { name: 'q', sentinels: ['redis://s:26379'] }, cluster: { nodes: ['redis://n:6379'] } },
      /either redis\.cluster or redis\.sentinel/,
    ],
  ])('%j → %s', (input, problem) => {
    const parsed = RedisConfigSchema.safeParse(input);
    if (problem === undefined) expect(parsed.success).toBe(true);
    else expect(parsed.error?.issues.map((issue) => issue.message).join('; ')).toMatch(problem);
  });

  it('describes where Redis is without credentials', () => {
    const describe = (input: object) => describeRedis(RedisConfigSchema.parse(input));
    expect(describe({ url: 'redis://:s3cret@10.0.0.1:6379/2' })).toBe('Redis at redis://10.0.0.1:6379/2');
    expect(describe({ cluster: { nodes: ['redis://:s3cret@a:6379', 'redis://b:7000'] } })).toBe(
      'Redis Cluster (a:6379, b:7000)',
    );
    expect(describe({ sentinel: { name: 'quorum', sentinels: ['redis://:pw@s1:26379'] } })).toBe(
      'the primary "quorum" of Redis Sentinel (s1:26379)',
    );
  });
});
