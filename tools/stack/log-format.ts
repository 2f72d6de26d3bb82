/**
 * How the apps' output reaches the terminal: every line prefixed with its app's name; pino JSON
 * lines either kept as they are (`MXS_LOG_FORMAT=json`) or shown as one readable line.
 */
export type LogFormat = 'pretty' | 'json';

export function logFormatOf(env: NodeJS.ProcessEnv): LogFormat {
  return env['MXS_LOG_FORMAT']?.trim().toLowerCase() === 'json' ? 'json' : 'pretty';
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Shown elsewhere in the line, or noise on a developer's terminal.
const SHOWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'context', 'req', 'res', 'responseTime', 'err', 'reqId']);

export interface Colors {
  dim(text: string): string;
  level(level: number, text: string): string;
  name(index: number, text: string): string;
}

export const NO_COLORS: Colors = { dim: (t) => t, level: (_l, t) => t, name: (_i, t) => t };

export function terminalColors(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Colors {
  if (stream.isTTY !== true || env['NO_COLOR'] !== undefined) return NO_COLORS;
  const paint = (code: string, text: string) => `\u001b[${code}m${text}\u001b[0m`;
  const names = ['36', '35', '33', '34', '32'];
  return {
    dim: (t) => paint('2', t),
    level: (l, t) => (l >= 50 ? paint('31', t) : l >= 40 ? paint('33', t) : l <= 20 ? paint('2', t) : t),
    name: (i, t) => paint(names[i % names.length] ?? '36', t),
  };
}

/** `name` padded to `width`, then a bar: `placement-api | `. */
export function prefixOf(name: string, width: number): string {
  return `${name.padEnd(width)} | `;
}

/** One output line of an app, ready for the terminal (without the prefix). */
export function formatLogLine(line: string, format: LogFormat, colors: Colors = NO_COLORS): string {
  if (format === 'json') return line;
  const record = parsePinoRecord(line);
  if (record === null) return line;
  const level = typeof record['level'] === 'number' ? record['level'] : 30;
  const parts: string[] = [];
  if (typeof record['time'] === 'number') parts.push(colors.dim(clockOf(new Date(record['time']))));
  parts.push(colors.level(level, (LEVELS[level] ?? String(level)).padEnd(5)));
  if (typeof record['context'] === 'string') parts.push(colors.dim(`[${record['context']}]`));
  const request = requestSummary(record);
  if (request !== null) parts.push(request);
  if (typeof record['msg'] === 'string' && record['msg'] !== '') parts.push(record['msg']);
  const extras = Object.entries(record)
    .filter(([key, value]) => !SHOWN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const reqId = requestIdOf(record);
  if (reqId !== null && record['requestId'] !== reqId) extras.push(`reqId=${reqId}`);
  if (extras.length > 0) parts.push(colors.dim(extras.join(' ')));
  const err = record['err'];
  const stack = typeof err === 'object' && err !== null ? (err as { stack?: unknown; message?: unknown }) : null;
  const text = parts.join(' ');
  if (stack !== null && typeof stack.stack === 'string') return `${text}\n${indent(stack.stack)}`;
  if (stack !== null && typeof stack.message === 'string') return `${text} ${colors.level(50, stack.message)}`;
  return text;
}

function parsePinoRecord(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const record = value as Record<string, unknown>;
    return typeof record['level'] === 'number' ? record : null;
  } catch {
    return null;
  }
}

/** `GET /v1/vms 200 4ms` from pino-http's req, res and responseTime. */
function requestSummary(record: Record<string, unknown>): string | null {
  const req = record['req'] as { method?: unknown; url?: unknown } | undefined;
  if (typeof req !== 'object' || req === null || typeof req.method !== 'string') return null;
  const res = record['res'] as { statusCode?: unknown } | undefined;
  const parts = [req.method, typeof req.url === 'string' ? req.url : '?'];
  if (typeof res === 'object' && res !== null && typeof res.statusCode === 'number') parts.push(String(res.statusCode));
  if (typeof record['responseTime'] === 'number') parts.push(`${record['responseTime']}ms`);
  return parts.join(' ');
}

function requestIdOf(record: Record<string, unknown>): string | null {
  if (typeof record['reqId'] === 'string') return record['reqId'];
  const req = record['req'] as { id?: unknown } | undefined;
  return typeof req === 'object' && req !== null && (typeof req.id === 'string' || typeof req.id === 'number') ? String(req.id) : null;
}

function clockOf(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
