// The page's enums, taken from the worker's event schemas (../events is
// generated from ../../../../schemas by `npm run gen`), with the runtime lists
// the UI iterates over checked against them at compile time: a schema that
// gains or loses a value breaks `npm run typecheck` until this file follows.
import type {
  AssetJobCompletedEventData,
  Error as CompletedError,
  Metadata,
  Thumbnail,
} from '../events/asset-job-completed';
import type { AssetJobProgressEventData } from '../events/asset-job-progress';
import type { AssetRegenerateRequestedEventDataInputTopicAssetRegenerate as RegenerateRequested } from '../events/asset-regenerate-requested';
import type { AssetScanCompletedEventData } from '../events/asset-scan-completed';

/** Statuses a job has while it runs (asset.job.progress). */
export type ActiveJobStatus = AssetJobProgressEventData['status'];
/** Statuses a job ends with (asset.job.completed). */
export type TerminalJobStatus = AssetJobCompletedEventData['status'];
/** queued | processing | completed | partial | failed */
export type JobStatus = ActiveJobStatus | TerminalJobStatus;

/**
 * The uploaded file's kind: seed 003's AssetType (IMAGE | VIDEO | AUDIO |
 * DOCUMENT), as in asset.job.completed's metadata.type. Seed 000's own list
 * ('thumbnail' | 'overlay' | 'banner' | 'story_graphic' | 'clip_cover')
 * belongs to another product (generated marketing assets) and is not used:
 * here the kind of each output is an Asset's `assetType` (OutputType).
 */
export type AssetType = Metadata['type'];

/** A job's scan verdict (asset.scan.completed). */
export type ScanStatus = AssetScanCompletedEventData['scanStatus'];
/** The pipeline stage a running job last reported (asset.job.progress). */
export type JobStage = AssetJobProgressEventData['stage'];
/** What a stage's timing says happened to it (asset.job.completed timings). */
export type StageOutcome = NonNullable<AssetJobCompletedEventData['timings']>[number]['outcome'];
/** A job error's stage and seed 003 error code (asset.job.completed errors). */
export type ErrorStage = CompletedError['stage'];
export type ErrorCode = CompletedError['code'];
/** What a regenerate request may ask for (asset.regenerate.requested types). */
export type RegenerateType = RegenerateRequested['types'][number];
/** A thumbnail's size (asset.job.completed variants). */
export type ThumbnailSize = Thumbnail['size'];

/** The kind of one output (AssetResponse.asset_type, docs/console.md); no schema has it. */
export type OutputType = 'thumbnail' | 'preview' | 'waveform' | 'waveform_peaks';

// Runtime lists, in the order the filter bar shows them.
export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'partial'] as const;
export const ACTIVE_JOB_STATUSES = ['queued', 'processing'] as const;
export const TERMINAL_JOB_STATUSES = ['completed', 'failed', 'partial'] as const;
export const ASSET_TYPES = ['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT'] as const;

// Compile-time checks: each list holds exactly its schema union's values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type CheckJobStatuses = Assert<Same<(typeof JOB_STATUSES)[number], JobStatus>>;
export type CheckActive = Assert<Same<(typeof ACTIVE_JOB_STATUSES)[number], ActiveJobStatus>>;
export type CheckTerminal = Assert<Same<(typeof TERMINAL_JOB_STATUSES)[number], TerminalJobStatus>>;
export type CheckAssetTypes = Assert<Same<(typeof ASSET_TYPES)[number], AssetType>>;
