import { describe, expect, it } from '@jest/globals';
import {
  AlertmanagerPayloadSchema,
  CompiledPayloadSchema,
  describePayloadIssues,
  normalizeNotification,
} from '../../src/alerts/alertmanager-payload.js';
import { payload, realPayload, realPayloadNames } from './fixtures.js';

const NOW = new Date('2026-12-02T07:00:00Z');

describe('Alertmanager webhook payload', () => {
  it('finds the real payloads', () => {
    expect(realPayloadNames().length).toBeGreaterThanOrEqual(7);
  });

  it.each(realPayloadNames())('accepts the real payload %s', (name) => {
    const parsed = AlertmanagerPayloadSchema.safeParse(realPayload(name));
    expect(parsed.success ? 'ok' : describePayloadIssues(parsed.error)).toBe('ok');
    if (!parsed.success) return;
    const notification = normalizeNotification(parsed.data, NOW);
    expect(notification.alerts.length).toBe((realPayload(name).alerts as unknown[]).length);
    for (const alert of notification.alerts) {
      expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(['firing', 'resolved']).toContain(alert.status);
      expect(alert.endsAt).toBeUndefined(); // Go's zero time while firing is not a time
    }
  });

  it('fills in what relays leave out: status from the group, a fingerprint from the labels', () => {
    const parsed = AlertmanagerPayloadSchema.parse(realPayload('prometheus-msteams_prom_post_request.json'));
    const [alert] = normalizeNotification(parsed, NOW).alerts;
    expect(alert).toMatchObject({ status: 'firing', name: 'high_memory_load' });
    const again = normalizeNotification(parsed, NOW).alerts[0];
    expect(again?.fingerprint).toBe(alert?.fingerprint);
  });

  it('keeps truncatedAlerts and accepts fields newer Alertmanagers add', () => {
    const body = payload('firing', [{ name: 'etcdNoLeader', fingerprint: 'aaaaaaaaaaaaaaaa' }], {
      truncatedAlerts: 7,
      notification_reason: 'group_interval',
      routeLabels: { team: 'sre' },
    });
    const parsed = AlertmanagerPayloadSchema.parse(body);
    expect(normalizeNotification(parsed, NOW).truncatedAlerts).toBe(7);
  });

  it.each([
    ['no alerts array', { status: 'firing' }, /alerts: /],
    ['an unknown status', { status: 'pending', alerts: [] }, /status: /],
    [
      'a version other than 4',
      { version: '3', status: 'firing', alerts: [] },
      /version: only webhook payload version "4"/,
    ],
    [
      'an alert without alertname',
      { status: 'firing', alerts: [{ labels: { severity: 'critical' } }] },
      /alerts\.0\.labels: every alert needs an alertname label/,
    ],
    [
      'a label that is not a string',
      { status: 'firing', alerts: [{ labels: { alertname: 'x', n: 1 } }] },
      /alerts\.0\.labels\.n/,
    ],
  ])('refuses %s, naming the path', (_, body, reason) => {
    for (const schema of [AlertmanagerPayloadSchema, CompiledPayloadSchema]) {
      const parsed = schema.safeParse(body);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(describePayloadIssues(parsed.error)).toMatch(reason);
    }
  });

  it.each([
    ...realPayloadNames().map((name) => [name, realPayload(name)] as const),
    ['a payload with defaults to fill in', { status: 'resolved', alerts: [{ labels: { alertname: 'x' } }] }] as const,
    ['an unknown status', { status: 'pending', alerts: [] }] as const,
    ['a label that is not a string', { status: 'firing', alerts: [{ labels: { alertname: 'x', n: 1 } }] }] as const,
  ])('compiled, parses %s exactly as the runtime schema does', (_, body) => {
    expect(CompiledPayloadSchema.safeParse(body)).toEqual(AlertmanagerPayloadSchema.safeParse(body));
  });
});
