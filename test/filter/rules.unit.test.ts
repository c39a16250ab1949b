import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildVocabulary, compileRules, compileSinkFilter, ruleProblem } from '../../src/filter/index.js';
import { makeEvent } from '../helpers/events.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/reference-filters.json', import.meta.url), 'utf8')) as {
  nouns: string[];
  verbs: string[];
  examples: string[];
};

/** The grammar, stated independently of the implementation: what each rule must match. */
function expected(rule: string, noun: string, verb: string): boolean {
  const [n, v] = rule.split(':');
  return (n === '*' || n === noun) && (v === '*' || v === verb);
}

describe('noun:verb rules', () => {
  const vocabulary = buildVocabulary();

  it('accepts every reference example and the whole reference vocabulary', () => {
    for (const rule of reference.examples) assert.equal(ruleProblem(rule, vocabulary), undefined, rule);
    for (const noun of reference.nouns)
      for (const verb of reference.verbs) assert.equal(ruleProblem(`${noun}:${verb}`, vocabulary), undefined);
  });

  for (const rule of reference.examples) {
    it(`${rule} matches exactly the pairs the grammar says`, () => {
      const set = compileRules([rule]);
      for (const noun of reference.nouns)
        for (const verb of reference.verbs) assert.equal(set.matches(noun, verb), expected(rule, noun, verb), `${rule} vs ${noun}:${verb}`);
    });
  }

  it('rejects malformed rules with a reason', () => {
    assert.match(ruleProblem('flag', vocabulary)!, /expected noun:verb/);
    assert.match(ruleProblem(':created', vocabulary)!, /must both be given/);
    assert.match(ruleProblem('flg:created', vocabulary)!, /unknown noun "flg"/);
    assert.match(ruleProblem('flag:made', vocabulary)!, /unknown verb "made"/);
    assert.match(ruleProblem('a:b:c', vocabulary)!, /expected noun:verb/);
  });

  it('extends the vocabulary from config', () => {
    const extended = buildVocabulary({ nouns: ['project'], verbs: ['archived'] });
    assert.equal(ruleProblem('project:archived', extended), undefined);
    assert.ok(ruleProblem('project:archived', vocabulary));
  });
});

describe('sink filters', () => {
  it('applies exclude after events (deny wins)', () => {
    const f = compileSinkFilter({ events: ['flag:*'], exclude: ['flag:deleted'] });
    assert.equal(f.matches(makeEvent({ type: 'flag', action: 'created' })), true);
    assert.equal(f.matches(makeEvent({ type: 'flag', action: 'deleted' })), false);
    assert.match(f.explain(makeEvent({ type: 'flag', action: 'deleted' })).reason, /denied by exclude/);
  });

  it('matches namespaces by glob; an event without a namespace matches none', () => {
    const f = compileSinkFilter({ events: ['*:*'], namespaces: ['prod-*'] });
    assert.equal(f.matches(makeEvent({ namespace: 'prod-eu' })), true);
    assert.equal(f.matches(makeEvent({ namespace: 'staging' })), false);
    assert.equal(f.matches({ ...makeEvent(), payload: null }), false);
  });

  it('filters by status', () => {
    const f = compileSinkFilter({ events: ['*:*'], status: ['denied'] });
    assert.equal(f.matches(makeEvent({ status: 'denied' })), true);
    assert.equal(f.matches(makeEvent({ status: 'success' })), false);
  });
});
