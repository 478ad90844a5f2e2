import { z } from 'zod';
import type { Signal } from '../findings/cause-vocabulary.js';
import type { Evidence, Severity } from '../findings/finding.js';
import { formatDuration } from '../findings/format.js';
import type { CertificateInfo } from '../ports/certificates.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The thresholds every certificate check takes, in days before notAfter: spread into its argument schema. */
export const EXPIRY_ARGS = {
  /** Under this many days left: a warning. */
  warningDays: z.number().positive().default(30),
  /** Under this many days left: critical (as is an expired or not yet valid certificate). */
  criticalDays: z.number().nonnegative().default(7),
};
export interface ExpiryThresholds {
  warningDays: number;
  criticalDays: number;
}

const ordered = (args: ExpiryThresholds): boolean => args.criticalDays < args.warningDays;

/** The arguments' schema with the thresholds' order enforced, so a playbook cannot swap them unnoticed. */
export function withExpiryArgs<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({ ...EXPIRY_ARGS, ...shape }).refine((args) => ordered(args as ExpiryThresholds), {
    message: 'criticalDays must be less than warningDays',
    path: ['criticalDays'],
  });
}

/** Where a certificate stands on the clock. */
export type CertificateState = 'not-yet-valid' | 'expired' | 'expiring' | 'valid';

/** One certificate judged against the thresholds at one moment. */
export interface CertificateJudgement {
  certificate: CertificateInfo;
  state: CertificateState;
  severity: Extract<Severity, 'critical' | 'warning' | 'ok'>;
  /** Until notAfter, in ms; negative once expired. */
  remainingMs: number;
  /** "expires in 2d 23h", "expired 2d 0h ago", "is not valid before 2026-12-05T03:12Z (in 3h 0m)", "valid for 364d 23h". */
  phrase: string;
  /** What the cause rules read: `certificate.expired` or `certificate.expiring`; none when valid. */
  signal?: Signal;
}

/** `2026-12-05T03:12Z`: minutes are enough to find the certificate again, and fit in a title. */
export function minuteTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16)}Z`;
}

/**
 * Judges a certificate at `now`: expired or not yet valid is critical, under `criticalDays` left critical, under
 * `warningDays` a warning, otherwise ok.
 */
export function judgeCertificate(
  certificate: CertificateInfo,
  now: Date,
  { warningDays, criticalDays }: ExpiryThresholds,
): CertificateJudgement {
  const nowMs = now.getTime();
  const notBefore = Date.parse(certificate.notBefore);
  const remainingMs = Date.parse(certificate.notAfter) - nowMs;
  if (nowMs < notBefore) {
    return {
      certificate,
      state: 'not-yet-valid',
      severity: 'critical',
      remainingMs,
      phrase: `is not valid before ${minuteTime(certificate.notBefore)} (in ${formatDuration(notBefore - nowMs)})`,
      signal: 'certificate.expired',
    };
  }
  if (remainingMs <= 0) {
    return {
      certificate,
      state: 'expired',
      severity: 'critical',
      remainingMs,
      phrase: `expired ${formatDuration(remainingMs)} ago`,
      signal: 'certificate.expired',
    };
  }
  if (remainingMs < warningDays * DAY_MS) {
    return {
      certificate,
      state: 'expiring',
      severity: remainingMs < criticalDays * DAY_MS ? 'critical' : 'warning',
      remainingMs,
      phrase: `expires in ${formatDuration(remainingMs)}`,
      signal: 'certificate.expiring',
    };
  }
  return {
    certificate,
    state: 'valid',
    severity: 'ok',
    remainingMs,
    phrase: `valid for ${formatDuration(remainingMs)}`,
  };
}

const RANK: Record<CertificateJudgement['severity'], number> = { critical: 0, warning: 1, ok: 2 };

/** The judgement to lead with: the most severe, then the one that runs out first. */
export function mostUrgent<T extends CertificateJudgement>(judgements: readonly T[]): T | undefined {
  return [...judgements].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.remainingMs - b.remainingMs)[0];
}

/** `CN=kube-apiserver, notAfter 2026-12-05T03:12Z`: what a title puts in brackets. */
export function identify(judgement: CertificateJudgement): string {
  const { certificate, state } = judgement;
  const date =
    state === 'not-yet-valid'
      ? `notBefore ${minuteTime(certificate.notBefore)}`
      : `notAfter ${minuteTime(certificate.notAfter)}`;
  return `${certificate.subject}, ${date}`;
}

/** One evidence line per certificate: who, by whom, when, and the verdict. */
export function certificateEvidence(label: string, judgement: CertificateJudgement): Evidence {
  const { certificate } = judgement;
  return {
    label,
    value: `${certificate.subject} (issuer ${certificate.issuer}), valid ${minuteTime(certificate.notBefore)} → ${minuteTime(certificate.notAfter)}: ${judgement.phrase}`,
  };
}

/** What JSON carries for each certificate. */
export function certificateData(judgement: CertificateJudgement): Record<string, unknown> {
  const { certificate } = judgement;
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subjectAltNames: certificate.subjectAltNames,
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    state: judgement.state,
    daysLeft: Math.round((judgement.remainingMs / DAY_MS) * 100) / 100,
  };
}

/** "critical under 7 days, warning under 30": the thresholds in a sentence. */
export function thresholdsText({ warningDays, criticalDays }: ExpiryThresholds): string {
  return `critical under ${criticalDays} days or once expired, a warning under ${warningDays}`;
}
