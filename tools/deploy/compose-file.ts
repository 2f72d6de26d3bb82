/**
 * Reads the YAML that deploy/compose.yaml is written in: block mappings and sequences, plain and
 * quoted scalars, flow sequences and mappings of scalars, comments, anchors, aliases and `<<`
 * merges. Anything else (block scalars, tags, several documents) is refused with its line, so a
 * later edit of the compose file fails this check loudly instead of being misread. The
 * workspace has no YAML parser among its own dependencies; this one is enough for that file.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

export type ComposeFileErrorCode = 'unsupported-yaml' | 'bad-yaml';

export class ComposeFileError extends Error {
  override readonly name = 'ComposeFileError';

  constructor(
    readonly code: ComposeFileErrorCode,
    readonly lineNo: number,
    message: string,
  ) {
    super(`line ${lineNo}: ${message}`);
  }
}

interface Line {
  indent: number;
  text: string;
  readonly lineNo: number;
}

/** The text with a comment (a `#` at the start or after a space, outside quotes) cut off. */
function withoutComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return text.slice(0, i);
  }
  return text;
}

/** Index of the `:` that ends a mapping key (followed by a space or the end), outside quotes; -1 if none. */
function keyColon(text: string): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === '[' || c === '{') return -1;
    else if (c === ':' && (i === text.length - 1 || text[i + 1] === ' ')) return i;
  }
  return -1;
}

/** Splits a flow collection's inside at top-level commas, outside quotes. */
function splitFlow(inner: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

class YamlReader {
  private i = 0;
  private readonly anchors = new Map<string, YamlValue>();

  constructor(private readonly lines: Line[]) {}

  read(): YamlValue {
    if (this.lines.length === 0) return null;
    const value = this.block((this.lines[0] as Line).indent);
    const rest = this.lines[this.i];
    if (rest !== undefined) throw new ComposeFileError('bad-yaml', rest.lineNo, `unexpected indentation: "${rest.text}"`);
    return value;
  }

  private block(indent: number): YamlValue {
    const line = this.lines[this.i];
    if (line === undefined) return null;
    return line.text === '-' || line.text.startsWith('- ') ? this.sequence(line.indent) : this.mapping(indent);
  }

  private mapping(indent: number): YamlMap {
    const map: YamlMap = {};
    const merges: YamlMap[] = [];
    for (let line = this.lines[this.i]; line !== undefined && line.indent === indent; line = this.lines[this.i]) {
      if (line.text.startsWith('- ')) break;
      const colon = keyColon(line.text);
      if (colon < 0) throw new ComposeFileError('bad-yaml', line.lineNo, `expected "key: value", got "${line.text}"`);
      const key = String(this.scalar(line.text.slice(0, colon).trim(), line.lineNo));
      const rest = line.text.slice(colon + 1).trim();
      if (key in map) throw new ComposeFileError('bad-yaml', line.lineNo, `duplicate key "${key}"`);
      this.i++;
      const value = this.valueAfterKey(rest, indent, line.lineNo);
      if (key === '<<') {
        const sources = Array.isArray(value) ? value : [value];
        for (const source of sources) {
          if (typeof source !== 'object' || source === null || Array.isArray(source)) throw new ComposeFileError('bad-yaml', line.lineNo, '<< merges only mappings');
          merges.push(source);
        }
      } else map[key] = value;
    }
    // Keys written in the mapping win over merged ones, wherever the `<<` stands.
    for (const source of merges) for (const [k, v] of Object.entries(source)) if (!(k in map)) map[k] = v;
    return map;
  }

  /** The value after `key:` (or after `- `): inline, or the block on the lines below. */
  private valueAfterKey(rest: string, indent: number, lineNo: number): YamlValue {
    const anchor = /^&([\w-]+)\s*(.*)$/.exec(rest);
    const inline = anchor === null ? rest : (anchor[2] ?? '');
    let value: YamlValue;
    if (inline !== '') value = this.scalar(inline, lineNo);
    else {
      const next = this.lines[this.i];
      const sequenceHere = next !== undefined && next.indent === indent && (next.text === '-' || next.text.startsWith('- '));
      value = next !== undefined && (next.indent > indent || sequenceHere) ? this.block(next.indent) : null;
    }
    if (anchor !== null) this.anchors.set(anchor[1] ?? '', value);
    return value;
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.lines[this.i]; line !== undefined && line.indent === indent && (line.text === '-' || line.text.startsWith('- ')); line = this.lines[this.i]) {
      const content = line.text.slice(1).trimStart();
      if (content !== '' && keyColon(content) >= 0 && !/^[&*]/.test(content)) {
        // `- key: value` opens a mapping whose keys sit where `key` does.
        line.indent = indent + (line.text.length - content.length);
        line.text = content;
        items.push(this.mapping(line.indent));
      } else {
        this.i++;
        items.push(this.valueAfterKey(content, indent, line.lineNo));
      }
    }
    return items;
  }

  private scalar(text: string, lineNo: number): YamlValue {
    if (text.startsWith('*')) {
      const name = text.slice(1);
      if (!this.anchors.has(name)) throw new ComposeFileError('bad-yaml', lineNo, `alias *${name} before its anchor`);
      return this.anchors.get(name) ?? null;
    }
    if (text.startsWith('"')) {
      try {
        return JSON.parse(text) as string;
      } catch {
        throw new ComposeFileError('unsupported-yaml', lineNo, `a double-quoted string this reader cannot take: ${text}`);
      }
    }
    if (text.startsWith("'")) {
      if (!text.endsWith("'") || text.length < 2) throw new ComposeFileError('bad-yaml', lineNo, `unterminated string: ${text}`);
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (text.startsWith('[') || text.startsWith('{')) return this.flow(text, lineNo);
    if (/^[|>!&%@`]/.test(text) || text === '---') throw new ComposeFileError('unsupported-yaml', lineNo, `not supported here: ${text}`);
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === '' || text === 'null' || text === '~') return null;
    if (/^-?\d+$/.test(text)) return Number(text);
    return text;
  }

  private flow(text: string, lineNo: number): YamlValue {
    const close = text.startsWith('[') ? ']' : '}';
    if (!text.endsWith(close)) throw new ComposeFileError('unsupported-yaml', lineNo, `a flow collection must end on its line: ${text}`);
    const parts = splitFlow(text.slice(1, -1));
    if (close === ']') return parts.map((p) => this.scalar(p, lineNo));
    const map: YamlMap = {};
    for (const part of parts) {
      const colon = keyColon(part);
      if (colon < 0) throw new ComposeFileError('bad-yaml', lineNo, `expected "key: value" in ${text}`);
      map[String(this.scalar(part.slice(0, colon).trim(), lineNo))] = this.scalar(part.slice(colon + 1).trim(), lineNo);
    }
    return map;
  }
}

/** Parses `text` (the subset above) into plain values. */
export function readYaml(text: string): YamlValue {
  const lines: Line[] = [];
  for (const [n, raw] of text.split('\n').entries()) {
    const lineNo = n + 1;
    if (/^\s*\t/.test(raw)) throw new ComposeFileError('bad-yaml', lineNo, 'tabs in indentation');
    const body = withoutComment(raw).trimEnd();
    if (body.trim() === '') continue;
    if (body === '---' || body === '...') throw new ComposeFileError('unsupported-yaml', lineNo, 'one document only');
    const indent = body.length - body.trimStart().length;
    lines.push({ indent, text: body.trimStart(), lineNo });
  }
  return new YamlReader(lines).read();
}
