import { useRetryFailed } from '../api/hooks';

/** "Retry N failed": a regenerate (all) of every failed job. */
export function RetryFailed({ failed }: { failed: number }) {
  const retry = useRetryFailed();
  if (failed === 0 && !retry.isSuccess) return null;
  return (
    <div className="retry-failed">
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="retry-failed"
        disabled={retry.isPending || failed === 0}
        onClick={() => {
          if (window.confirm(`Regenerate every output of the ${failed} failed job${failed === 1 ? '' : 's'}?`)) {
            retry.mutate();
          }
        }}
      >
        ♻️ {retry.isPending ? 'Requesting…' : `Retry ${failed} failed`}
      </button>
      {retry.isSuccess && (
        <span className="muted" data-testid="retry-failed-result" role="status">
          Requested {retry.data.requested} regenerate job{retry.data.requested === 1 ? '' : 's'}
          {retry.data.failed.length > 0 &&
            `; ${retry.data.failed.length} could not be: ${retry.data.failed[0]?.message ?? ''}`}
        </span>
      )}
      {retry.isError && (
        <span className="error-text" role="alert">
          Retry failed: {retry.error.message}
        </span>
      )}
    </div>
  );
}
