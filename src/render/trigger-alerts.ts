import type { TriggerAlert } from '../diagnosis/run-request.js';

/** One line per distinct alert; the same rule firing for several instances with the same summary shows once. */
export interface AlertGroup {
  alert: TriggerAlert;
  count: number;
}

/** Groups alerts that would print the same line (name, severity, summary, link), in order of first appearance. */
export function groupTriggerAlerts(alerts: readonly TriggerAlert[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const alert of alerts) {
    const key = JSON.stringify([alert.name, alert.severity, alert.summary, alert.generatorURL]);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { alert, count: 1 });
  }
  return [...groups.values()];
}
