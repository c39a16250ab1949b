import { describe, it } from 'node:test';
import { MEMBERS, rebalanceStorm } from './storm.js';

describe('fault: rebalance storm', () => {
  it(`${MEMBERS} routers in one group; members leave and rejoin every few seconds for a minute while events stream: every event delivered, nothing parked`, () =>
    rebalanceStorm('classic'));
});
