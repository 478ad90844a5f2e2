/** Real Alertmanager webhook payloads (copies in test/fixtures/alertmanager/, see its SOURCES.md) and helpers. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REAL_FIXTURES = fileURLToPath(new URL('../fixtures/alertmanager/', import.meta.url));

export function realPayloadNames(): string[] {
  return readdirSync(REAL_FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function realPayload(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REAL_FIXTURES}${name}`, 'utf8')) as Record<string, unknown>;
}

/** A version-4 payload as Alertmanager 0.25 sends it, for alerts given by name and labels. */
export function payload(
  status: 'firing' | 'resolved',
  alerts: { name: string; labels?: Record<string, string>; fingerprint: string; summary?: string; endsAt?: string }[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    truncatedAlerts: 0,
    status,
    receiver: 'quorum',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((alert) => ({
      status,
      labels: { alertname: alert.name, severity: 'critical', ...alert.labels },
      annotations: alert.summary ? { summary: alert.summary } : {},
      startsAt: '2026-12-02T06:00:00Z',
      endsAt: alert.endsAt ?? (status === 'resolved' ? '2026-12-02T06:05:00Z' : '0001-01-01T00:00:00Z'),
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up&g0.tab=1',
      fingerprint: alert.fingerprint,
    })),
    ...extra,
  };
}
