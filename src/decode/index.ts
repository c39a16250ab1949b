export { Decoder, type Decoded, type InputFormat } from './decoder.js';
export { isConfluentFrame, CONFLUENT_HEADER_BYTES } from './avro-decoder.js';
export type { RegistryConnection } from './schema-fetcher.js';
