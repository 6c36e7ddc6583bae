import { useState } from 'react';
import type { Asset } from '../api/types';
import { posterFor } from '../lib/poster';
import { AssetTile } from './AssetTile';
import { PreviewModal } from './PreviewModal';

export function AssetGrid({ assets }: { assets: Asset[] }) {
  const [openIndex, setOpenIndex] = useState<number | null>(null);
  const open = openIndex === null ? null : (assets[openIndex] ?? null);
  if (assets.length === 0) {
    return (
      <p className="muted" data-testid="assets-empty">
        This job has no outputs (yet).
      </p>
    );
  }
  const step = (by: number) => setOpenIndex((i) => (i === null ? null : (i + by + assets.length) % assets.length));
  return (
    <>
      <div className="asset-grid">
        {assets.map((asset, i) => (
          <AssetTile key={asset.id} asset={asset} poster={posterFor(asset, assets)} onOpen={() => setOpenIndex(i)} />
        ))}
      </div>
      {open && openIndex !== null && (
        <PreviewModal
          asset={open}
          position={{ index: openIndex, count: assets.length }}
          onPrevious={() => step(-1)}
          onNext={() => step(1)}
          onClose={() => setOpenIndex(null)}
        />
      )}
    </>
  );
}
