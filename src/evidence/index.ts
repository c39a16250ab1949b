export { EvidenceTrail, type Write } from './evidence-trail.js';
export { generateKeyPair, loadPublicKey } from './keys.js';
export { ObjectEvidence } from './object-evidence.js';
export { readCheckpointTopic } from './checkpoint-topic.js';
export { fileSource, type TrailSource } from './trail-source.js';
export { verifyTrail, type VerifyResult } from './verify.js';
