import { useEffect, useRef } from 'react';
import type { Asset } from '../api/types';
import { formatBytes, formatDuration } from '../lib/format';
import { fileNameOf, mediaKind } from '../lib/labels';
import { CloseIcon } from './Icons';

/** Full view of one output; Escape, the close button or the backdrop close it. */
export function PreviewModal({ asset, onClose }: { asset: Asset; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    closeRef.current?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const kind = mediaKind(asset);
  const titleId = `preview-title-${asset.id}`;
  return (
    <div
      className="modal-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="preview-modal">
        <div className="modal-head">
          <h3 id={titleId}>{asset.name}</h3>
          <button
            ref={closeRef}
            type="button"
            className="btn btn-ghost"
            data-testid="preview-close"
            onClick={onClose}
            aria-label="Close preview"
          >
            <CloseIcon />
          </button>
        </div>
        <div className="modal-body">
          {kind === 'image' && <img src={asset.url} alt={asset.name} />}
          {kind === 'video' && (
            <video controls preload="metadata" src={asset.url}>
              <track kind="captions" />
            </video>
          )}
          {kind === 'audio' && <audio controls preload="metadata" src={asset.url} />}
          {kind === 'file' && (
            <p>
              <a href={asset.url} target="_blank" rel="noreferrer">
                Open {fileNameOf(asset)}
              </a>{' '}
              <span className="muted">({asset.contentType})</span>
            </p>
          )}
        </div>
        <dl className="modal-facts">
          <dt>Type</dt>
          <dd>
            {asset.assetType}
            {asset.size ? ` (${asset.size})` : ''} · {asset.contentType}
          </dd>
          {asset.width !== null && asset.height !== null && (
            <>
              <dt>Size</dt>
              <dd>
                {asset.width}×{asset.height}
              </dd>
            </>
          )}
          {asset.duration !== null && (
            <>
              <dt>Duration</dt>
              <dd>{formatDuration(asset.duration)}</dd>
            </>
          )}
          <dt>Bytes</dt>
          <dd>{formatBytes(asset.fileSize)}</dd>
          <dt>Key</dt>
          <dd>
            <code>{asset.key}</code>
          </dd>
        </dl>
      </div>
    </div>
  );
}
