import type { ScanStatus } from '../api/types';
import { SCAN_EMOJI, SCAN_LABEL } from '../lib/labels';

/** The virus scan's verdict; the ClamAV signature when INFECTED. */
export function ScanBadge({ status, signature }: { status: ScanStatus; signature: string | null }) {
  return (
    <span
      className={`badge scan-badge scan-${status.toLowerCase()}`}
      data-testid="scan-badge"
      data-scan={status}
      title={`Virus scan: ${SCAN_LABEL[status] ?? status}`}
    >
      <span aria-hidden="true">{SCAN_EMOJI[status] ?? '🔍'}</span> {SCAN_LABEL[status] ?? status}
      {status === 'INFECTED' && signature && <code className="signature">{signature}</code>}
    </span>
  );
}
