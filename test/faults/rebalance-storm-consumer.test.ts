import { describe, it } from 'node:test';
import { MEMBERS, rebalanceStorm } from './storm.js';

// KIP-848 needs a Kafka 4 broker: .ci/run leaves this file out of its Kafka 3.9 pass, by name.
describe('fault: rebalance storm, source.groupProtocol: consumer (KIP-848, librdkafka)', () => {
  it(`${MEMBERS} routers joining with the consumer protocol; members leave and rejoin for a minute while events stream: every event delivered, nothing parked`, () =>
    rebalanceStorm('consumer'));
});
