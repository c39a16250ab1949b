import { test } from 'node:test';
import assert from 'node:assert/strict';
import Handlebars from 'handlebars';
import { compileTemplate, TemplateError } from '../../../src/sinks/webhook/template.js';
import { makeEvent } from '../../helpers/events.js';

const hostile = [
  'say "hi"',
  'line one\r\nX-Injected: yes',
  'back\\slash \\"',
  '{{7*7}}',
  '{{{payload}}} {{> partial}}',
  "</script>&<>'=`",
  '\u0000\u2028\ud800',
];

test('{{x}} JSON-escapes: quotes, CR/LF, backslashes and control characters stay inside the string', () => {
  const template = compileTemplate('{"text": "{{payload.text}}", "type": "{{type}}"}', 't.hbs');
  for (const text of hostile) {
    const out = JSON.parse(template.render(makeEvent({ payload: { text } })));
    assert.equal(out.text, text, `round trip of ${JSON.stringify(text)}`);
    assert.equal(out.type, 'flag');
  }
});

test('event data is never evaluated as a template', () => {
  const template = compileTemplate('{"d": "{{payload.d}}"}', 't.hbs');
  assert.deepEqual(JSON.parse(template.render(makeEvent({ payload: { d: '{{7*7}}' } }))), { d: '{{7*7}}' });
  assert.deepEqual(JSON.parse(template.render(makeEvent({ payload: { d: '{{type}}' } }))), { d: '{{type}}' });
});

test('{{json x}} writes any value as JSON', () => {
  const template = compileTemplate('{"p": {{json payload}}, "a": {{json metadata.actor}}, "missing": {{json nothing}} }', 't.hbs');
  const payload = { nested: { list: [1, 'two', null, hostile] }, big: 'x'.repeat(100 * 1024) };
  const out = JSON.parse(template.render(makeEvent({ payload })));
  assert.deepEqual(out.p, payload);
  assert.deepEqual(out.a, makeEvent().metadata.actor);
  assert.equal(out.missing, null);
});

test('a 100 KB string with quotes and newlines renders as valid JSON', () => {
  const template = compileTemplate('{"description": "{{payload.description}}"}', 't.hbs');
  const description = '"\r\n\\'.repeat(25 * 1024);
  const rendered = template.render(makeEvent({ payload: { description } }));
  assert.equal(JSON.parse(rendered).description, description);
});

test('block helpers work and escape their output too', () => {
  const template = compileTemplate('{ {{#each metadata.actor}}"{{@key}}": "{{this}}"{{#unless @last}}, {{/unless}}{{/each}} }', 't.hbs');
  const actor = { 'we"ird': 'va\nlue', plain: 'ok' };
  assert.deepEqual(JSON.parse(template.render(makeEvent({ metadata: { actor } }))), actor);
});

test('raw output, unknown helpers and partials, syntax errors and non-JSON output are refused at compile time', () => {
  assert.throws(
    () => compileTemplate('{"a": "{{{type}}}"}', 't.hbs'),
    (err) => err instanceof TemplateError && /line 1: .*unescaped/.test(err.message),
  );
  assert.throws(
    () => compileTemplate('{"a":\n "{{& type}}"}', 't.hbs'),
    (err) => err instanceof TemplateError && /line 2/.test(err.message),
  );
  assert.throws(
    () => compileTemplate('{"a": {{jsn type}} }', 't.hbs'),
    (err) => err instanceof TemplateError && /unknown helper jsn/.test(err.message),
  );
  assert.throws(
    () => compileTemplate('{"a": "{{#if type}}"}', 't.hbs'),
    /^Error: does not compile: Parse error on line 1: unexpected EOF$/,
  );
  assert.throws(
    () => compileTemplate('{"a": {{> other}} }', 't.hbs'),
    (err) => err instanceof TemplateError && /partial other could not be found/.test(err.message),
  );
  assert.throws(
    () => compileTemplate('{"a": {{type}} }', 't.hbs'),
    (err) => err instanceof TemplateError && /^does not render valid JSON for a sample event: /.test(err.message),
  );
  assert.throws(
    () => compileTemplate('{"p": {{json payload}}}', 't.hbs'),
    /unexpected CLOSE_UNESCAPED \("}}}" ends a triple-stash: put a space/,
  );
});

test('the global Handlebars instance keeps HTML escaping and has no json helper', () => {
  compileTemplate('{"a": "{{type}}"}', 't.hbs').render(makeEvent());
  assert.equal(Handlebars.compile('{{x}}')({ x: '"&' }), '&quot;&amp;');
  assert.equal(Handlebars.helpers.json, undefined);
});
