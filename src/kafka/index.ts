export { createKafka } from './client.js';
export { describeKafkaError, errorChain } from './errors.js';
export { createTopicIfMissing } from './create-topic.js';
