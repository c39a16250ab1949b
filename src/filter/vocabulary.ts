/**
 * The nouns and verbs of Flipt's filterable audit events (the reference
 * vocabulary), plus `destination`, the noun of audit-router's own admin
 * trail. Config `vocabulary.nouns` / `vocabulary.verbs` add to these.
 */
const DEFAULT_NOUNS = [
  'flag',
  'segment',
  'variant',
  'constraint',
  'rule',
  'distribution',
  'namespace',
  'rollout',
  'token',
  'destination',
] as const;

const DEFAULT_VERBS = ['created', 'updated', 'deleted'] as const;

export interface Vocabulary {
  nouns: ReadonlySet<string>;
  verbs: ReadonlySet<string>;
}

export function buildVocabulary(extra: { nouns?: readonly string[]; verbs?: readonly string[] } = {}): Vocabulary {
  return {
    nouns: new Set([...DEFAULT_NOUNS, ...(extra.nouns ?? [])]),
    verbs: new Set([...DEFAULT_VERBS, ...(extra.verbs ?? [])]),
  };
}
