// Names and emoji the page shows for statuses and kinds.
import type { Asset, AssetType, JobStatus, OutputType, ScanStatus } from '../api/types';

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  partial: 'Partial',
};

export const ASSET_TYPE_LABEL: Record<AssetType, string> = {
  IMAGE: 'Image',
  VIDEO: 'Video',
  AUDIO: 'Audio',
  DOCUMENT: 'Document',
};

export const ASSET_TYPE_EMOJI: Record<AssetType, string> = {
  IMAGE: '🖼️',
  VIDEO: '🎬',
  AUDIO: '🎵',
  DOCUMENT: '📄',
};

const OUTPUT_EMOJI: Record<OutputType, string> = {
  thumbnail: '🖼️',
  preview: '▶️',
  waveform: '📊',
  waveform_peaks: '📈',
};

export const SCAN_LABEL: Record<ScanStatus, string> = {
  CLEAN: 'Clean',
  INFECTED: 'Infected',
  ERROR: 'Scan error',
};

export const SCAN_EMOJI: Record<ScanStatus, string> = {
  CLEAN: '🛡️',
  INFECTED: '☣️',
  ERROR: '⚠️',
};

/** Label of a job's file kind, tolerant of a value the page does not know. */
export function assetTypeLabel(type: AssetType | null | undefined): string {
  return (type && ASSET_TYPE_LABEL[type]) ?? type ?? 'Unknown';
}

export function assetTypeEmoji(type: AssetType | null | undefined): string {
  return (type && ASSET_TYPE_EMOJI[type]) ?? '📦';
}

/** How an output can be shown: as a picture, a player, or only as a file. */
export type MediaKind = 'image' | 'video' | 'audio' | 'file';

export function mediaKind(asset: Pick<Asset, 'contentType'>): MediaKind {
  const major = asset.contentType.split('/')[0];
  if (major === 'image' || major === 'video' || major === 'audio') return major;
  return 'file';
}

export function outputEmoji(asset: Pick<Asset, 'assetType' | 'contentType'>): string {
  const kind = mediaKind(asset);
  if (kind === 'video') return '🎬';
  if (kind === 'audio') return '🎵';
  return OUTPUT_EMOJI[asset.assetType] ?? '📦';
}

/** A file name for downloads: the storage key's last part. */
export function fileNameOf(asset: Pick<Asset, 'key' | 'name'>): string {
  return asset.key.split('/').pop() || asset.name;
}
