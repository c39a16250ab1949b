export { fullJitterDelay, nextRetryDelay, sleep, type BackoffPolicy } from './backoff.js';
export { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
