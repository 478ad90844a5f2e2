import { z } from 'zod';

/** The kubeadm control-plane components, as their static pods' `component` label names them. */
export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
] as const;

/** Args shared by the checks that look at control-plane components in one namespace. */
export const ComponentScopeArgs = {
  namespace: z.string().default('kube-system'),
  components: z
    .array(z.string().min(1))
    .min(1)
    .default([...CONTROL_PLANE_COMPONENTS]),
};
