import { ApiError } from '../api/client';

export function ErrorBanner({ what, error, onRetry }: { what: string; error: Error; onRetry?: () => void }) {
  const code = error instanceof ApiError ? ` (${error.code})` : '';
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <span>
        ⚠️ Could not load {what}: {error.message}
        {code}
      </span>
      {onRetry && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
