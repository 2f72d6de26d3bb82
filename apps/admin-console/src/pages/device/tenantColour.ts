// Distinct, print-safe hues; a tenant keeps its colour on every device because the hash is stable.
const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#86bcb6'] as const;

export function tenantColour(tenantId: string): string {
  let hash = 0;
  for (const char of tenantId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length] ?? palette[0];
}
