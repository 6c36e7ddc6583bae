import { useDeadLetters, useReplay } from '../api/hooks';
import type { DeadLetter } from '../api/types';
import { ErrorBanner } from './ErrorBanner';
import { RelativeTime } from './RelativeTime';

const SHOWN_HEADERS = ['x-dlq-error-code', 'x-dlq-error-message'];

/** Replay: publish the upload or regenerate request again (a job of its own). */
function ReplayButton({ letter }: { letter: DeadLetter }) {
  const replay = useReplay();
  return (
    <div className="dl-replay">
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="dead-letter-replay"
        disabled={!letter.replay.possible || replay.isPending || replay.isSuccess}
        aria-describedby={letter.replay.possible ? undefined : `replay-reason-${letter.partition}-${letter.offset}`}
        onClick={() => replay.mutate(letter)}
      >
        ↻ {replay.isPending ? 'Replaying…' : 'Replay'}
      </button>
      {!letter.replay.possible && (
        <span
          className="muted"
          id={`replay-reason-${letter.partition}-${letter.offset}`}
          data-testid="dead-letter-replay-reason"
        >
          Cannot be replayed: {letter.replay.reason}
        </span>
      )}
      {replay.isSuccess && (
        <span className="muted" data-testid="dead-letter-replay-result" role="status">
          Replayed to {replay.data.topic} as job <code>{replay.data.jobId}</code>
        </span>
      )}
      {replay.isError && (
        <span className="error-text" data-testid="dead-letter-replay-result" role="alert">
          Not replayed: {replay.error.message}
        </span>
      )}
    </div>
  );
}

function DeadLetterRow({ letter }: { letter: DeadLetter }) {
  const others = Object.entries(letter.headers).filter(([name]) => !SHOWN_HEADERS.includes(name));
  return (
    <li
      className="dead-letter"
      data-testid="dead-letter-row"
      data-topic={letter.topic}
      data-partition={letter.partition}
      data-offset={letter.offset}
    >
      <div className="dl-head">
        <code className="dl-where">
          {letter.topic} / {letter.partition} / {letter.offset}
        </code>
        {letter.headers['x-dlq-error-code'] && <span className="badge dl-code">{letter.headers['x-dlq-error-code']}</span>}
        <RelativeTime iso={letter.receivedAt} prefix="received " />
      </div>
      {letter.headers['x-dlq-error-message'] && <p className="dl-message">{letter.headers['x-dlq-error-message']}</p>}
      <dl className="dl-facts">
        <dt>key</dt>
        <dd>
          <code>{letter.key ?? '(none)'}</code>
        </dd>
        {others.map(([name, value]) => (
          <div key={name} className="dl-header">
            <dt>{name}</dt>
            <dd>
              <code>{value}</code>
            </dd>
          </div>
        ))}
      </dl>
      <pre className="dl-value">{letter.value ?? '(no value)'}</pre>
      <ReplayButton letter={letter} />
    </li>
  );
}

export function DeadLetterList() {
  const letters = useDeadLetters();
  if (letters.isPending) return <p className="muted loading">Loading dead letters…</p>;
  if (letters.isLoadingError) {
    return <ErrorBanner what="the dead letters" error={letters.error} onRetry={() => void letters.refetch()} />;
  }
  const { items, total } = letters.data;
  if (items.length === 0) {
    return (
      <p className="muted dl-empty" data-testid="dead-letters-empty">
        ✨ No dead letters: every message was processed.
      </p>
    );
  }
  return (
    <>
      {letters.isRefetchError && <ErrorBanner what="the latest dead letters" error={letters.error} />}
      <p className="muted count">
        Showing {items.length} of {total} dead letter{total === 1 ? '' : 's'}
      </p>
      <ul className="dead-letters">
        {items.map((l) => (
          <DeadLetterRow key={`${l.topic}/${l.partition}/${l.offset}`} letter={l} />
        ))}
      </ul>
      {letters.hasNextPage && (
        <div className="load-more-row">
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="load-more-dead-letters"
            disabled={letters.isFetchingNextPage}
            onClick={() => void letters.fetchNextPage()}
          >
            {letters.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
