import { jest } from '@jest/globals';
import { KVClient, MaintenanceClient, WatchClient, type IRangeRequest, type IRangeResponse } from 'etcd3';

/** Every range request etcd3 sent while the spy was installed, with what came back. */
export interface RangeSpy {
  readonly ranges: Array<{ request: IRangeRequest; response: IRangeResponse }>;
  /** Calls to anything else that could carry values: txn, watch, snapshot. */
  readonly otherReads: string[];
  restore(): void;
}

/**
 * Wraps etcd3's KV client (the same module instance the adapter under test uses) to record every range request and
 * response, and notes any txn, watch or snapshot call: a facade that read a value would show it here.
 */
export function spyOnEtcdReads(): RangeSpy {
  const original = KVClient.prototype.range;
  const ranges: RangeSpy['ranges'] = [];
  const otherReads: string[] = [];
  const spies = [
    jest.spyOn(KVClient.prototype, 'range').mockImplementation(async function (this: KVClient, request, options) {
      const response = await original.call(this, request, options);
      ranges.push({ request, response });
      return response;
    }),
    jest.spyOn(KVClient.prototype, 'txn').mockImplementation(async () => {
      otherReads.push('txn');
      throw new Error('txn is not allowed in the read-only facade');
    }),
    jest.spyOn(WatchClient.prototype, 'watch').mockImplementation(async () => {
      otherReads.push('watch');
      throw new Error('watch is not allowed in the read-only facade');
    }),
    jest.spyOn(MaintenanceClient.prototype, 'snapshot').mockImplementation(async () => {
      otherReads.push('snapshot');
      throw new Error('snapshot is not allowed in the read-only facade');
    }),
  ];
  return { ranges, otherReads, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
