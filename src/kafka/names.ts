import { z } from 'zod';

/**
 * What Kafka accepts as a topic name and as a broker address, checked alike
 * in the config file and on the command line.
 */
export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
export const TOPIC_NAME_RULE = '1-249 of letters, digits, . _ -';
export const topicNameSchema = z.string().regex(TOPIC_NAME, `must be a Kafka topic name: ${TOPIC_NAME_RULE}`);

/** host:port of a broker: no scheme, no path, no IPv6 brackets (a broker list is split on commas). */
export const BROKER_ADDRESS = /^[^\s:/]+:\d{1,5}$/;
