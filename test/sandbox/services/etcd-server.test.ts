import { describe, expect, it } from '@jest/globals';

import { etcdAnswersHealthy, readEtcdGauge, isProcessAlive, isRemoved, startEtcd } from '../../helpers/services.js';

describe('startEtcd', () => {
  it('starts a healthy single member with the requested name and quota, and stop() leaves nothing behind', async () => {
    const etcd = await startEtcd({ name: 'solo', quotaBytes: 16 * 1024 * 1024 });
    try {
      expect(etcd.endpoints).toEqual([etcd.clientUrl]);
      expect(etcd.clientUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(etcd.peerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await etcdAnswersHealthy(etcd.clientUrl)).toBe(true);
      expect(await readEtcdGauge(etcd.clientUrl, 'etcd_server_quota_backend_bytes')).toBe(16 * 1024 * 1024);
    } finally {
      await etcd.stop();
    }
    expect(isProcessAlive(etcd.pid)).toBe(false);
    expect(isRemoved(etcd.dataDir)).toBe(true);
  });
});
