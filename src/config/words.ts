import type { PathWords } from './issues.js';

/** What the config's main fields are, in the words messages about them use (see zodIssues). */
export const CONFIG_WORDS: PathWords = {
  kafka: 'a mapping with brokers (and ssl, sasl as needed)',
  'kafka.brokers': 'a list of host:port, e.g. ["127.0.0.1:9092"]',
  source: 'a mapping with topic and groupId',
  'source.topic': 'the input topic',
  'source.groupId': 'the consumer group id',
  sinks: 'a list of sinks, each with a name and a type',
  'sinks[].name': 'the sink name, unique in the file',
  'sinks[].type': 'the sink type: log, topic or webhook',
};
