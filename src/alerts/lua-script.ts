import { createHash } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent whole only when Redis does not know it yet (after a restart or a
 * SCRIPT FLUSH): under an alert storm the script text would otherwise travel with every call.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(connection: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await connection.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return connection.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
