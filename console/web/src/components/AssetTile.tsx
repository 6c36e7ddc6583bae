import { useEffect, useState } from 'react';
import { useSetVisibility } from '../api/hooks';
import type { Asset } from '../api/types';
import { copyText } from '../lib/clipboard';
import { absoluteUrl, formatBytes, formatDuration } from '../lib/format';
import { fileNameOf, mediaKind, outputEmoji } from '../lib/labels';

type CopyState = 'idle' | 'copied' | 'failed';

/** The tile's picture: the output itself, a poster (a video's thumbnail, audio's waveform), or its kind. */
function TileMedia({ asset, poster }: { asset: Asset; poster: Asset | null }) {
  if (mediaKind(asset) === 'image') {
    return <img src={asset.url} alt={asset.name} loading="lazy" decoding="async" />;
  }
  if (poster) {
    return (
      <span className="tile-poster">
        <img src={poster.url} alt={`${asset.name} (poster: ${poster.name})`} data-testid="tile-poster" loading="lazy" decoding="async" />
        <span className="tile-poster-badge" aria-hidden="true">
          {mediaKind(asset) === 'video' ? '▶' : mediaKind(asset) === 'audio' ? '♪' : '{ }'}
        </span>
      </span>
    );
  }
  if (mediaKind(asset) === 'video') {
    return <video className="tile-video" src={`${asset.url}#t=0.5`} preload="metadata" muted data-testid="tile-poster" />;
  }
  return (
    <span className="tile-kind">
      <span className="tile-kind-emoji" aria-hidden="true">
        {outputEmoji(asset)}
      </span>
      <span>{asset.assetType}</span>
    </span>
  );
}

/** One output: thumbnail (or a poster), hover actions, click to preview. */
export function AssetTile({ asset, poster, onOpen }: { asset: Asset; poster: Asset | null; onOpen: () => void }) {
  const visibility = useSetVisibility();
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return;
    const timer = window.setTimeout(() => setCopy('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [copy]);

  const onCopy = () => {
    copyText(absoluteUrl(asset.url, window.location.origin)).then(
      () => setCopy('copied'),
      () => setCopy('failed'),
    );
  };

  const dims = asset.width && asset.height ? `${asset.width}×${asset.height}` : '';
  const facts = [dims, formatDuration(asset.duration), formatBytes(asset.fileSize)].filter(Boolean);

  return (
    <div
      className="asset-tile"
      data-testid="asset-tile"
      data-asset-id={asset.id}
      data-asset-type={asset.assetType}
    >
      <button type="button" className="tile-media" onClick={onOpen} aria-label={`Preview ${asset.name}`}>
        <TileMedia asset={asset} poster={poster} />
      </button>

      <div className="tile-overlay">
        <a
          className="icon-btn"
          data-testid="action-download"
          href={asset.url}
          download={fileNameOf(asset)}
          title="Download"
        >
          ⬇️ <span className="sr-only">Download</span>
        </a>
        <button
          type="button"
          className="icon-btn"
          data-testid="action-copy"
          data-copied={copy === 'copied'}
          onClick={onCopy}
          title="Copy URL"
        >
          {copy === 'copied' ? '✅ Copied' : copy === 'failed' ? '⚠️ Copy failed' : '🔗'}
          {copy === 'idle' && <span className="sr-only">Copy URL</span>}
        </button>
        <button
          type="button"
          className={asset.isPublic ? 'icon-btn vis-public' : 'icon-btn vis-private'}
          data-testid="action-visibility"
          data-public={asset.isPublic}
          aria-pressed={asset.isPublic}
          disabled={visibility.isPending}
          onClick={() => visibility.mutate({ assetId: asset.id, isPublic: !asset.isPublic })}
          title={asset.isPublic ? 'Public: click to make private' : 'Private: click to make public'}
        >
          {asset.isPublic ? '🌐 public' : '🔒 private'}
        </button>
      </div>

      <div className="tile-caption">
        <span className="tile-name" title={asset.key}>
          {asset.name}
        </span>
        <span className="tile-facts">{facts.join(' · ')}</span>
        {visibility.isError && <span className="error-text">{visibility.error.message}</span>}
      </div>
    </div>
  );
}
