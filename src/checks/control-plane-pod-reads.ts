import type { ObjectMetadata, Pod } from '../ports/kube-types.js';
import type { CheckContext } from './check.js';

/**
 * A namespace's pods as metadata, listed once per run. Several checks look for the control-plane pods in kube-system
 * (their state, their logs): one lean list serves them all, and kube-system also holds a DaemonSet pod or more per
 * node that none of them reads whole.
 */
export function podMetadataOnce(context: Pick<CheckContext, 'once'>, namespace: string): Promise<ObjectMetadata[]> {
  return context.once(`pods:metadata:${namespace}`, async (run) => {
    const pods: ObjectMetadata[] = [];
    for await (const pod of run.kube.podMetadata({ namespace })) pods.push(pod);
    return pods;
  });
}

/** One pod read whole, once per run whichever check asks first; undefined when it is gone. */
export function podOnce(
  context: Pick<CheckContext, 'once'>,
  namespace: string,
  name: string,
): Promise<Pod | undefined> {
  // Each read on a signal of its own that follows the run's: a dozen requests listening on one signal would make
  // Node warn of a leak (more than 10 listeners).
  return context.once(`pod:${namespace}/${name}`, (run) =>
    run.kube.pod(namespace, name, { signal: AbortSignal.any([run.signal]) }),
  );
}

/**
 * The pods of a namespace that `componentOf` names a component for, read whole; a pod deleted between the list and
 * its read is left out. Metadata is all it takes to tell the control-plane pods (labels, mirror annotation, name).
 */
export async function componentPodsOnce(
  context: Pick<CheckContext, 'once'>,
  namespace: string,
  componentOf: (pod: ObjectMetadata) => string | undefined,
): Promise<Array<{ pod: Pod; component: string }>> {
  const candidates = (await podMetadataOnce(context, namespace)).flatMap((pod) => {
    const component = componentOf(pod);
    return component ? [{ namespace: pod.metadata.namespace ?? namespace, name: pod.metadata.name, component }] : [];
  });
  const read = await Promise.all(
    candidates.map(async ({ namespace: where, name, component }) => ({
      pod: await podOnce(context, where, name),
      component,
    })),
  );
  return read.filter((entry): entry is { pod: Pod; component: string } => entry.pod !== undefined);
}
