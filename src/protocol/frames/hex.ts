/** Hex byte strings in profiles ("AA 55", "02 {unit} 05"), parsed once when a profile is compiled. */

/** A byte, or the lift's unit address. */
export type TemplateByte = number | 'unit';

export class HexError extends Error {
  readonly code = 'FRAMES_BAD_HEX';
  constructor(message: string) {
    super(message);
    this.name = 'HexError';
  }
}

export function parseHexTemplate(text: string): TemplateByte[] {
  const tokens = text.trim().split(/\s+|(?=\{unit\})|(?<=\{unit\})/).filter((s) => s !== '');
  const out: TemplateByte[] = [];
  for (const tok of tokens) {
    if (tok === '{unit}') {
      out.push('unit');
      continue;
    }
    if (!/^([0-9A-Fa-f]{2})+$/.test(tok)) throw new HexError(`expected hex bytes like "02 1F" or {unit}, got "${tok}"`);
    for (let i = 0; i < tok.length; i += 2) out.push(parseInt(tok.slice(i, i + 2), 16));
  }
  return out;
}

export function parseHex(text: string): number[] {
  const t = parseHexTemplate(text);
  if (t.includes('unit')) throw new HexError(`expected plain hex bytes, got {unit} in "${text}"`);
  return t as number[];
}

export function fillTemplate(t: readonly TemplateByte[], unit: number): number[] {
  return t.map((b) => (b === 'unit' ? unit & 0xff : b));
}

export function toHex(bytes: Uint8Array | readonly number[]): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}
