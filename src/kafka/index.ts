export { createKafka } from './client.js';
export { describeKafkaError, errorChain } from './errors.js';
export { createTopicIfMissing, createTopicsIfMissing } from './create-topic.js';
