/**
 * The environment variables an app's config loader reads, from its source: the fields of its
 * zod schema (`apps/<app>/src/config.ts`) and of the service kit's base schema it extends, each
 * marked required when it has neither a default nor `.optional()`. Tools may not import apps,
 * so the source is read as text; the shape it expects is the one every config.ts has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigField {
  readonly name: string;
  /** No default and not optional: the app refuses to start without it. */
  readonly required: boolean;
  /** The default, when it is a literal (`default: 3100`, `default: '{mxs}'`). */
  readonly defaultValue?: string;
}

/** `source` with comments and string contents blanked (same length), so braces in them do not count. */
function codeOnly(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (c === '/' && next === '*') {
      const stop = source.indexOf('*/', i + 2) + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += c + ' '.repeat(j - i - 1) + c;
      i = j;
    } else out += c;
  }
  return out;
}

/** The `{ … }` object literal that starts at `open` in `code`: its inner range. */
function objectBody(code: string, open: number): { start: number; end: number } {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{' || code[i] === '(' || code[i] === '[') depth++;
    else if (code[i] === '}' || code[i] === ')' || code[i] === ']') {
      depth--;
      if (depth === 0) return { start: open + 1, end: i };
    }
  }
  throw new Error(`unbalanced braces from offset ${open}`);
}

/** Top-level `NAME: …` fields of the object literal at `open`, with each field's source text. */
function fieldsOf(source: string, code: string, open: number): Map<string, string> {
  const { start, end } = objectBody(code, open);
  const fields = new Map<string, string>();
  const starts: { name: string; at: number }[] = [];
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = code[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (depth === 0) {
      const match = /^([A-Z][A-Z0-9_]*)\s*:/.exec(code.slice(i, i + 80));
      if (match !== null && /[\s,{]/.test(code[i - 1] ?? ' ')) {
        starts.push({ name: match[1] ?? '', at: i });
        i += match[0].length - 1;
      }
    }
  }
  for (const [k, s] of starts.entries()) fields.set(s.name, source.slice(s.at, starts[k + 1]?.at ?? end));
  return fields;
}

function fieldFrom(name: string, text: string): ConfigField {
  const literal = /default:\s*('([^']*)'|"([^"]*)"|-?[\d_]+)/.exec(text) ?? /\.default\(\s*('([^']*)'|-?[\d_]+)\s*\)/.exec(text);
  const defaultValue = literal === null ? undefined : (literal[2] ?? literal[3] ?? (literal[1] ?? '').replace(/_/g, ''));
  // envBoolean(x) and envTrustProxy() always default; envEnum(values, fallback) does when given one.
  const defaulted = /default[:(]/.test(text) || /\.optional\(\)/.test(text) || /^\w+:\s*(envBoolean|envTrustProxy)\(/.test(text) || /envEnum\([^,]+,\s*'/.test(text);
  return { name, required: !defaulted, ...(defaultValue === undefined ? {} : { defaultValue }) };
}

/** The fields of schema `schemaName` in `source`, and the schema it extends or picks from (by name), if any. */
export function schemaFields(source: string, schemaName: string): { parent: string | null; picked: string[] | null; fields: ConfigField[] } {
  const code = codeOnly(source);
  const decl = new RegExp(`const ${schemaName}\\s*=\\s*(?:(\\w+)\\.(extend|pick)\\(|z\\.object\\()`).exec(code);
  if (decl === null) throw new Error(`no schema ${schemaName} in the source`);
  const open = code.indexOf('{', decl.index + decl[0].length);
  const fields = [...fieldsOf(source, code, open)].map(([name, text]) => fieldFrom(name, text));
  if (decl[2] === 'pick') return { parent: decl[1] ?? null, picked: fields.map((f) => f.name), fields: [] };
  return { parent: decl[1] ?? null, picked: null, fields };
}

const BASE_CONFIG = 'libs/service-kit/src/config/base-config.ts';

/** Every variable app `app`'s config loader reads: its own fields over those of the kit's schema it extends. */
export function appConfigFields(root: string, app: string): Map<string, ConfigField> {
  const source = readFileSync(join(root, 'apps', app, 'src', 'config.ts'), 'utf8');
  const schemaName = /export const (\w+ConfigSchema)\s*=/.exec(source)?.[1];
  if (schemaName === undefined) throw new Error(`apps/${app}/src/config.ts exports no *ConfigSchema`);
  const own = schemaFields(source, schemaName);
  const fields = new Map<string, ConfigField>();
  if (own.parent !== null) for (const f of kitSchemaFields(root, own.parent)) fields.set(f.name, f);
  for (const f of own.fields) fields.set(f.name, f);
  return fields;
}

/** A schema of the kit's base-config.ts, following one `.pick(...)` of another. */
function kitSchemaFields(root: string, schemaName: string): ConfigField[] {
  const source = readFileSync(join(root, BASE_CONFIG), 'utf8');
  const schema = schemaFields(source, schemaName);
  if (schema.picked === null) return schema.fields;
  const parent = schemaFields(source, schema.parent ?? '');
  return parent.fields.filter((f) => schema.picked?.includes(f.name));
}
