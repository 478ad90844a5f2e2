import type { Cluster, Redis } from 'ioredis';

/**
 * A connection to Quorum's Redis, whichever the topology: one server (standalone, or the primary Sentinel points at)
 * or a Redis Cluster. Quorum uses only commands both accept, and keeps every key of one script or one BullMQ queue
 * in one slot with the `{…}` hash tag of `redis.prefix`.
 */
export type RedisClient = Redis | Cluster;
