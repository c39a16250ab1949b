export { buildVocabulary, type Vocabulary } from './vocabulary.js';
export { compileRules, ruleProblem, type RuleSet } from './rules.js';
export { compileSinkFilter, type SinkFilter, type FilterDecision } from './sink-filter.js';
