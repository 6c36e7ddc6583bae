import { useEffect, useRef, useState } from 'react';
import type { Asset } from '../api/types';
import { copyText } from '../lib/clipboard';
import { trapTab } from '../lib/focusTrap';
import { absoluteUrl, formatBytes, formatDuration } from '../lib/format';
import { fileNameOf, mediaKind } from '../lib/labels';
import { CloseIcon } from './Icons';

interface Props {
  asset: Asset;
  /** Where it is among the job's outputs (previous/next). */
  position: { index: number; count: number };
  onPrevious: () => void;
  onNext: () => void;
  onClose: () => void;
}

function ModalMedia({ asset }: { asset: Asset }) {
  const kind = mediaKind(asset);
  if (kind === 'image') return <img src={asset.url} alt={asset.name} />;
  if (kind === 'video') {
    return (
      <video controls preload="metadata" src={asset.url}>
        <track kind="captions" />
      </video>
    );
  }
  if (kind === 'audio') return <audio controls preload="metadata" src={asset.url} />;
  return (
    <p>
      <a href={asset.url} target="_blank" rel="noreferrer">
        Open {fileNameOf(asset)}
      </a>{' '}
      <span className="muted">({asset.contentType})</span>
    </p>
  );
}

function ModalActions({ asset }: { asset: Asset }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [asset.id]);
  return (
    <div className="modal-actions">
      <a className="btn btn-secondary" data-testid="preview-download" href={asset.url} download={fileNameOf(asset)}>
        ⬇️ Download
      </a>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="preview-copy"
        data-copied={copied}
        onClick={() => void copyText(absoluteUrl(asset.url, window.location.origin)).then(() => setCopied(true))}
      >
        {copied ? '✅ Copied' : '🔗 Copy URL'}
      </button>
    </div>
  );
}

/**
 * Full view of one output. Escape, the close button or the backdrop close it;
 * ←/→ and the buttons step through the job's outputs; Tab stays inside; the
 * focus goes back where it was on close.
 */
export function PreviewModal({ asset, position, onPrevious, onNext, onClose }: Props) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowLeft' && position.count > 1) onPrevious();
      else if (e.key === 'ArrowRight' && position.count > 1) onNext();
      else if (dialogRef.current) trapTab(dialogRef.current, e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, onPrevious, onNext, position.count]);

  const titleId = `preview-title-${asset.id}`;
  return (
    <div
      className="modal-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={dialogRef}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="preview-modal"
        data-asset-id={asset.id}
      >
        <div className="modal-head">
          <h3 id={titleId}>{asset.name}</h3>
          <span className="muted modal-position" data-testid="preview-position">
            {position.index + 1} / {position.count}
          </span>
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
          {position.count > 1 && (
            <button type="button" className="btn btn-secondary modal-step prev" data-testid="preview-previous" onClick={onPrevious} aria-label="Previous output">
              ‹
            </button>
          )}
          <ModalMedia asset={asset} />
          {position.count > 1 && (
            <button type="button" className="btn btn-secondary modal-step next" data-testid="preview-next" onClick={onNext} aria-label="Next output">
              ›
            </button>
          )}
        </div>
        <ModalActions asset={asset} />
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
