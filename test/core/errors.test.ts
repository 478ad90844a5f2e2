import { describe, expect, it } from '@jest/globals';
import { EtcdUnreachableError, endSentence } from '../../src/core/errors.js';

describe('endSentence', () => {
  it.each([
    ['connection refused', 'connection refused.'],
    ['is etcd running and listening there?', 'is etcd running and listening there?'],
    ['no answer within 5000 ms.  ', 'no answer within 5000 ms.'],
    ['it failed!', 'it failed!'],
  ])('%j ends as %j', (text, sentence) => {
    expect(endSentence(text)).toBe(sentence);
  });
});

describe('EtcdUnreachableError', () => {
  const reason =
    'status failed: connection refused (connect ECONNREFUSED 127.0.0.1:2379): is etcd running and listening there?';

  it('never ends a question with a full stop', () => {
    const error = new EtcdUnreachableError(['https://127.0.0.1:2379'], reason);
    expect(error.message).toBe(
      `Cannot reach etcd at https://127.0.0.1:2379: ${reason} Check etcd.endpoints and the client certificates (etcd.caFile, etcd.certFile, etcd.keyFile).`,
    );
    expect(error.message).not.toContain('?.');
  });

  it('keeps the reason apart from the settings advice, for checks that know better', () => {
    expect(new EtcdUnreachableError(['https://127.0.0.1:2379'], reason).reason).toBe(reason);
  });
});
