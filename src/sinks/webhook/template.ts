import Handlebars from 'handlebars';
import type { AuditEvent } from '../../event/index.js';
import { SAMPLE_EVENT } from './sample-event.js';

/** A body template, compiled once at config load. */
export interface CompiledTemplate {
  /** As written in the config, for messages. */
  readonly path: string;
  /** The template's output for one event: text that should be a JSON value (callers check). */
  render(event: AuditEvent): string;
}

/** Handlebars' rule for turning a value into text, then JSON string escaping in place of HTML escaping. */
function escapeJson(value: unknown): string {
  if (value instanceof Handlebars.SafeString) return value.toHTML();
  const text = value === null || value === undefined ? '' : String(value);
  return JSON.stringify(text).slice(1, -1);
}

/**
 * An isolated environment, so nothing registered here leaks into (or comes
 * from) other users of the handlebars module.
 *
 * `{{x}}` must JSON-escape rather than HTML-escape. Handlebars takes its
 * escape function from a per-template `container`, filled from a module-wide
 * import that Handlebars.create() does not copy; the only per-environment
 * seam is `env.template`, which every compiled template passes through, and
 * its entry point receives that container. So the container's escape is
 * replaced there, for templates of this environment only.
 */
function jsonEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('json', (...args: unknown[]) => {
    // Handlebars appends its options object: exactly one argument means `{{json}}` was written without a value.
    if (args.length !== 2) throw new Error('json takes exactly one value, e.g. {{json payload}}');
    return new hb.SafeString(JSON.stringify(args[0] ?? null));
  });
  type Entry = (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]) => string;
  const template = hb.template.bind(hb);
  hb.template = (spec) => {
    const program = spec as { main: Entry };
    const main = program.main;
    program.main = function (container, ...rest) {
      container.escapeExpression = escapeJson;
      return main.call(this, container, ...rest);
    };
    return template(spec);
  };
  return hb;
}

const hb = jsonEnvironment();

/** A template problem found before any event is sent. */
export class TemplateError extends Error {}

/**
 * Triple-stash and `{{& x}}` write event text unescaped, where one quote in a
 * payload would break (or rewrite) the JSON. `{{json x}}` is the raw form that is safe.
 */
class RawOutputFinder extends Handlebars.Visitor {
  found: string | undefined;

  override MustacheStatement(mustache: hbs.AST.MustacheStatement): void {
    if (!mustache.escaped && this.found === undefined) {
      this.found = `line ${mustache.loc.start.line}: {{{…}}} and {{&…}} output text unescaped and can break the JSON; use "{{…}}" inside quotes or {{json …}}`;
    }
    super.MustacheStatement(mustache);
  }
}

/**
 * Handlebars' parse errors span four lines (message, excerpt, caret, the
 * expected tokens); one line with the token found fits a config issue.
 */
function parseProblem(message: string): string {
  const lines = message.split('\n');
  const found = /got '([A-Z_]+)'/.exec(lines.at(-1) ?? '')?.[1];
  if (!found) return lines[0]!;
  // The usual JSON mistake: `{"p": {{json payload}}}` ends in `}}}`, which closes a triple-stash.
  const hint = found === 'CLOSE_UNESCAPED' ? ` ("}}}" ends a triple-stash: put a space between "}}" and a JSON "}")` : '';
  return `${lines[0]} unexpected ${found}${hint}`;
}

/**
 * Compiles template source and renders the sample event with it, so every
 * problem shows before any event is sent: a syntax error, raw output, an
 * unknown helper or partial (Handlebars only finds those on first render),
 * or output that is not JSON. Throws TemplateError saying which.
 */
export function compileTemplate(source: string, path: string): CompiledTemplate {
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(source);
  } catch (err) {
    throw new TemplateError(`does not compile: ${parseProblem((err as Error).message)}`);
  }
  const finder = new RawOutputFinder();
  finder.accept(ast);
  if (finder.found) throw new TemplateError(`does not compile: ${finder.found}`);
  // knownHelpersOnly turns a misspelt helper into a compile error instead of a lookup of an absent field.
  const delegate = hb.compile<AuditEvent>(ast, { knownHelpers: { json: true }, knownHelpersOnly: true });
  let sample: string;
  try {
    sample = delegate(SAMPLE_EVENT);
  } catch (err) {
    throw new TemplateError(`does not compile: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    JSON.parse(sample);
  } catch (err) {
    throw new TemplateError(`does not render valid JSON for a sample event: ${(err as Error).message}`);
  }
  return { path, render: (event) => delegate(event) };
}
