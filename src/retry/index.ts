export { fullJitterDelay, nextRetryDelay, sleep } from './backoff.js';
export { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
