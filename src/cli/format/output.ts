/** Where a command writes: stdout/stderr, JSON for scripts, colour only on a terminal. */
import { redactText } from '../../platform/redact.js';
import { paint, useColour, type Paint } from './colour.js';

export interface Out {
  json: boolean;
  paint: Paint;
  print(text: string): void;
  error(text: string): void;
  printJson(value: unknown): void;
}

export function output(opts: { json?: boolean; colour?: boolean }): Out {
  const colour = opts.colour ?? (!opts.json && useColour(process.stdout));
  return {
    json: Boolean(opts.json),
    paint: paint(colour),
    // A URL's password never reaches the terminal, whatever message carried it.
    print: (text) => void process.stdout.write(redactText(text.endsWith('\n') ? text : text + '\n')),
    error: (text) => void process.stderr.write(redactText(`liftwatch: ${text}\n`)),
    printJson: (value) => void process.stdout.write(redactText(JSON.stringify(value, null, 2)) + '\n'),
  };
}
