export { Decoder, type Decoded, type InputFormat } from './decoder.js';
export type { RegistryConnection } from '../schema-registry/index.js';
