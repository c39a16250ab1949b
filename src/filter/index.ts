export { buildVocabulary, DEFAULT_NOUNS, DEFAULT_VERBS, type Vocabulary } from './vocabulary.js';
export { compileRules, ruleProblem, type RuleSet } from './rules.js';
export { compileSinkFilter, type SinkFilter, type SinkFilterSpec, type FilterDecision } from './sink-filter.js';
