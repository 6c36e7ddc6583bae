import { secondsSince } from '../lib/time';
import { useNow } from '../lib/useNow';

/** "● Live · updated 4 s ago" while the list polls; "Offline" after a failed poll. */
export function LiveIndicator({ updatedAt, failed }: { updatedAt: number; failed: boolean }) {
  const now = useNow(1000);
  const ago = updatedAt > 0 ? secondsSince(updatedAt, now) : null;
  return (
    <p
      className={failed ? 'live-indicator offline' : 'live-indicator'}
      data-testid="live-indicator"
      data-live={!failed}
      data-updated-at={updatedAt}
    >
      <span className="live-dot" aria-hidden="true" />
      {failed ? 'Offline: retrying' : 'Live'}
      {ago !== null && <span className="muted"> · updated {ago} s ago</span>}
    </p>
  );
}
