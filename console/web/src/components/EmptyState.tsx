import { useState } from 'react';
import { GalleryIcon } from './Icons';

/** No jobs (for these filters). Its call to action explains how jobs arrive: the console itself uploads nothing. */
export function EmptyState({ filtered, onClearFilters }: { filtered: boolean; onClearFilters: () => void }) {
  const [help, setHelp] = useState(false);
  return (
    <section className="empty-state" data-testid="empty-state">
      <div className="empty-icon">
        <GalleryIcon />
      </div>
      <h2>{filtered ? 'No matching jobs' : 'No assets yet'}</h2>
      <p>
        {filtered
          ? 'No job matches these filters.'
          : 'Uploads and regenerate requests show up here as soon as the worker picks them up.'}
      </p>
      <div className="empty-actions">
        {filtered ? (
          <button type="button" className="btn btn-primary" onClick={onClearFilters} data-testid="clear-filters">
            Clear filters
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="empty-cta"
            aria-expanded={help}
            aria-controls="empty-help"
            onClick={() => setHelp((h) => !h)}
          >
            Upload your first asset
          </button>
        )}
      </div>
      {help && (
        <div id="empty-help" className="empty-help" data-testid="empty-help">
          <p>
            Files reach the worker through the <code>asset.uploads</code> topic: your product&apos;s upload API, or
            from a shell:
          </p>
          <pre>asset-worker upload --brokers HOST:PORT --storage URL FILE…</pre>
          <p className="muted">This page follows them by itself; nothing to reload.</p>
        </div>
      )}
    </section>
  );
}
