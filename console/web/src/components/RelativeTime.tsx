import { useNow } from '../lib/useNow';
import { formatAbsoluteTime, formatRelativeTime } from '../lib/time';

/** "5 minutes ago", with the full date in its title. */
export function RelativeTime({ iso, prefix = '' }: { iso: string | null; prefix?: string }) {
  const now = useNow(30_000);
  return (
    <time className="rel-time" dateTime={iso ?? undefined} title={formatAbsoluteTime(iso)}>
      {prefix}
      {formatRelativeTime(iso, now)}
    </time>
  );
}
