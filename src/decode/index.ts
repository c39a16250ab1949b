export { Decoder, type Decoded } from './decoder.js';
export type { RegistryConnection } from '../schema-registry/index.js';
