import type { Command } from 'commander';
import { loadConfigFile } from '../../config/index.js';
import { AuditRouterError } from '../../errors/index.js';
import { derivedEventId, parseJsonEvent, withStableId } from '../../event/index.js';
import { compileRules, compileSinkFilter } from '../../filter/index.js';
import { EventRouter } from '../../route/event-router.js';
import { fail } from '../output.js';
import { readInput } from '../read-input.js';

/**
 * test-route explains one event. Given a JSON-lines file (what `produce` reads),
 * JSON.parse would only say "Unexpected non-whitespace character after JSON at
 * position 284"; say what the input is and what to do instead. A pretty-printed
 * single event also spans lines, but its lines are not JSON each.
 */
function oneEvent(text: string, file: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 1 && lines.every(isJson)) {
    const name = file === '-' ? 'stdin' : file;
    throw new AuditRouterError(
      'AR_ERR_DECODE_JSON',
      `${name} holds ${lines.length} JSON lines, but test-route takes one event per call: pass one (e.g. head -n 1 ${name} | audit-router test-route -c FILE -)`,
    );
  }
  return text;
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export function registerTestRoute(program: Command): void {
  program
    .command('test-route')
    .description('dry run: validate one event and show which sinks would receive it, and why (nothing is sent)')
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON')
    .argument('[event]', 'a JSON file with one event, or - for stdin', '-')
    .addHelpText(
      'after',
      '\nExample:\n  audit-router test-route -c examples/router.yaml examples/events/flipt-0.2.json\n\nExit codes: 0 the event is valid (whether or not any sink matches), 1 invalid event or config.',
    )
    .action(async (file: string, opts: { config: string }) => {
      try {
        const config = loadConfigFile(opts.config);
        const source = { topic: config.source.topic, partition: 0, offset: '0' };
        const event = withStableId(parseJsonEvent(oneEvent(await readInput(file), file)), source);
        const router = new EventRouter(
          compileRules(config.events),
          config.sinks.map((s) => ({ name: s.name, target: s, filter: compileSinkFilter(s) })),
        );
        const explanations = router.explain(event);
        const idNote = event.id === derivedEventId(source) ? ' (no id: one is derived from topic/partition/offset when consumed)' : '';
        const lines = [`event ${event.type}:${event.action} status=${event.status} id=${event.id}${idNote}`];
        const width = Math.max(...explanations.map((e) => e.sink.length));
        for (const e of explanations) lines.push(`  ${e.matched ? 'SEND ' : 'skip '} ${e.sink.padEnd(width)}  ${e.reason}`);
        const count = explanations.filter((e) => e.matched).length;
        lines.push(count === 0 ? 'no sink would receive this event' : `${count} sink${count === 1 ? '' : 's'} would receive this event`);
        process.stdout.write(lines.join('\n') + '\n');
      } catch (err) {
        fail(err);
      }
    });
}
