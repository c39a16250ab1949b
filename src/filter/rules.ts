import type { Vocabulary } from './vocabulary.js';

/**
 * A compiled list of `noun:verb` rules. `*` stands for any noun or any verb.
 * Matching is two Set lookups per event: exact pairs, wildcard nouns,
 * wildcard verbs, or the match-all flag.
 */
export interface RuleSet {
  readonly rules: readonly string[];
  matches(noun: string, verb: string): boolean;
}

/** Why a rule is invalid, or undefined when it is fine. */
export function ruleProblem(rule: string, vocabulary: Vocabulary): string | undefined {
  const parts = rule.split(':');
  if (parts.length !== 2) return 'expected noun:verb, e.g. flag:created, flag:* or *:deleted';
  const [noun, verb] = parts as [string, string];
  if (noun === '' || verb === '') return 'noun and verb must both be given (use * for any)';
  if (noun !== '*' && !vocabulary.nouns.has(noun)) {
    return `unknown noun "${noun}" (known: ${[...vocabulary.nouns].join(', ')}; add it under vocabulary.nouns)`;
  }
  if (verb !== '*' && !vocabulary.verbs.has(verb)) {
    return `unknown verb "${verb}" (known: ${[...vocabulary.verbs].join(', ')}; add it under vocabulary.verbs)`;
  }
  return undefined;
}

/** Compiles rules that ruleProblem() already accepted. */
export function compileRules(rules: readonly string[]): RuleSet {
  const exact = new Set<string>();
  const anyVerbFor = new Set<string>();
  const anyNounFor = new Set<string>();
  let all = false;
  for (const rule of rules) {
    const [noun, verb] = rule.split(':') as [string, string];
    if (noun === '*' && verb === '*') all = true;
    else if (verb === '*') anyVerbFor.add(noun);
    else if (noun === '*') anyNounFor.add(verb);
    else exact.add(rule);
  }
  return {
    rules,
    matches: all ? () => true : (noun, verb) => anyVerbFor.has(noun) || anyNounFor.has(verb) || exact.has(`${noun}:${verb}`),
  };
}
