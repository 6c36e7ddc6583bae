import { GalleryIcon } from './Icons';

/** No jobs (for these filters). */
export function EmptyState({ filtered, onClearFilters }: { filtered: boolean; onClearFilters: () => void }) {
  return (
    <section className="empty-state" data-testid="empty-state">
      <div className="empty-icon">
        <GalleryIcon />
      </div>
      <h2>No assets yet</h2>
      <p>
        {filtered
          ? 'No job matches these filters.'
          : 'Uploads and regenerate requests show up here as soon as the worker picks them up.'}
      </p>
      <div className="empty-actions">
        <a className="btn btn-primary" href="/dashboard/generate" data-testid="empty-cta">
          Generate Your First Asset
        </a>
        {filtered && (
          <button type="button" className="btn btn-secondary" onClick={onClearFilters}>
            Clear filters
          </button>
        )}
      </div>
    </section>
  );
}
