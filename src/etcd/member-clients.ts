import type { Etcd3 } from 'etcd3';
import { EtcdRequestError } from '../core/errors.js';

/** One client per member endpoint, created on first use and kept until {@link close}. */
export class MemberClients {
  private readonly clients = new Map<string, Etcd3>();
  private closed = false;

  constructor(private readonly create: (endpoint: string) => Etcd3) {}

  /** The client for this (normalized) endpoint. */
  get(endpoint: string): Etcd3 {
    if (this.closed) throw new EtcdRequestError('This etcd reader is closed: a caller used it after close() (a bug).');
    let client = this.clients.get(endpoint);
    if (!client) {
      client = this.create(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }

  /** Closes every client; later calls to {@link get} throw. */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
