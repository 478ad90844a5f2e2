import { describe, expect, it } from '@jest/globals';
import { schedulerCapacityCheck } from '../../src/checks/scheduler-capacity.js';
import type { ListOptions } from '../../src/ports/kube-reader.js';
import type { Event, Pod, PodFootprint } from '../../src/ports/kube-types.js';
import { FakeKubeReader, checkContext } from './fake-readers.js';

/** Its bound-pod listing never ends on its own: it lasts until its signal aborts. */
class SlowFootprints extends FakeKubeReader {
  listing: { signal?: AbortSignal } = {};

  override async *podFootprints(options: ListOptions = {}): AsyncIterable<PodFootprint> {
    this.listing.signal = options.signal;
    yield { metadata: { name: 'bound-1' }, spec: { nodeName: 'worker-1' } };
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

function pendingPod(name: string): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { tolerations: [] },
    status: { phase: 'Pending' },
  };
}

function failedScheduling(pod: string, message: string): Event {
  return {
    metadata: { name: `${pod}.1`, namespace: 'shop' },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, uid: `uid-${pod}` },
    reason: 'FailedScheduling',
    message,
  };
}

describe('scheduler.capacity listing every bound pod', () => {
  it('starts the listing at once and drops it when no Pending pod is short of a resource', async () => {
    const kube = new SlowFootprints();
    kube.podList = [pendingPod('tainted')];
    kube.eventList = [
      failedScheduling('tainted', '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.'),
    ];
    const findings = await schedulerCapacityCheck.run(checkContext({ kube }), schedulerCapacityCheck.args.parse({}));
    expect(findings.map((finding) => finding.title)).toEqual([
      'No Pending pod is short of CPU, memory, pods or storage',
    ]);
    expect(kube.listing.signal?.aborted).toBe(true);
  });

  it('drops the listing when the check fails before it is needed', async () => {
    const kube = new SlowFootprints();
    kube.events = () => {
      throw new Error('events are unreadable');
    };
    kube.podList = [pendingPod('waiting')];
    await expect(
      schedulerCapacityCheck.run(checkContext({ kube }), schedulerCapacityCheck.args.parse({})),
    ).rejects.toThrow('events are unreadable');
    expect(kube.listing.signal?.aborted).toBe(true);
  });
});
