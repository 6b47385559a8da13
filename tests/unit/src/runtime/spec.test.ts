import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../../../src/runtime/spec.js';

describe('actor spec validation', () => {
  it('valid spec then no violations', () => {
    expect(validateSpec({ id: 'feed:GLD', module: 'file:///x.js', mailbox: { capacity: 10, overflow: 'conflate', conflateKey: 'symbol' }, flush: 'immediate', snapshot: { everyMs: 100 } })).toEqual([]);
  });

  it('bad spec then every violation reported with its path', () => {
    expect(
      validateSpec({ id: '$reserved', module: '', mailbox: { capacity: 0, overflow: 'sometimes' }, flush: 'never', restartBuffer: -1, snapshot: { everyMessages: 0 }, subscribe: [''], limits: { maxOldGenerationSizeMb: -5 } }),
    ).toEqual([
      'spec.id must not start with $ (reserved)',
      'spec.module must be a module URL or path',
      'spec.mailbox.capacity must be a positive integer',
      'spec.mailbox.overflow must be one of reject, drop_oldest, conflate',
      'spec.subscribe must be a list of topic names',
      'spec.flush must be turn, message or immediate',
      'spec.restartBuffer must be an integer >= 0',
      'spec.snapshot.everyMessages must be a positive number',
      'spec.limits.maxOldGenerationSizeMb must be a positive number',
    ]);
  });
});
