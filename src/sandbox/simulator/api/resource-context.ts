import type { Representation } from '../server/media-type.js';
import type { ObjectStore } from './object-store.js';

/** What resource handlers need from the running simulator. */
export interface ResourceContext {
  store: ObjectStore;
  /** The simulator clock at the request, ms since the epoch: relative timestamps resolve against it. */
  nowMs: number;
  representation: Representation;
  /** Aborted when the simulator stops: ends watches. */
  signal: AbortSignal;
}
