import { useState } from 'react';
import type { Asset } from '../api/types';
import { AssetTile } from './AssetTile';
import { PreviewModal } from './PreviewModal';

export function AssetGrid({ assets }: { assets: Asset[] }) {
  const [openId, setOpenId] = useState<string | null>(null);
  const open = assets.find((a) => a.id === openId) ?? null;
  if (assets.length === 0) {
    return (
      <p className="muted" data-testid="assets-empty">
        This job has no outputs (yet).
      </p>
    );
  }
  return (
    <>
      <div className="asset-grid">
        {assets.map((asset) => (
          <AssetTile key={asset.id} asset={asset} onOpen={() => setOpenId(asset.id)} />
        ))}
      </div>
      {open && <PreviewModal asset={open} onClose={() => setOpenId(null)} />}
    </>
  );
}
