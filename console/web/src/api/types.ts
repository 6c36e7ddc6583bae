// The page's view of the console API (docs/console.md), camelCase. Seed 000's
// Job/JobListResponse/Asset/JobFilters, adapted to the contract: a job is an
// upload or regenerate request processed by asset-worker, and its outputs
// (thumbnails, preview clip, waveform) are the Assets.
import type {
  AssetType,
  ErrorCode,
  ErrorStage,
  JobStage,
  JobStatus,
  OutputType,
  RegenerateType,
  ScanStatus,
  StageOutcome,
  ThumbnailSize,
} from './enums';

export type {
  AssetType,
  ErrorCode,
  ErrorStage,
  JobStage,
  JobStatus,
  OutputType,
  RegenerateType,
  ScanStatus,
  StageOutcome,
  ThumbnailSize,
};

export type JobKind = 'upload' | 'regenerate';

export interface Job {
  id: string;
  /** The upload's createdBy. */
  userId: string;
  /** The upload's projectId. */
  brandKitId: string | null;
  assetType: AssetType;
  status: JobStatus;
  progress: number;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  assetId: string;
  title: string | null;
  mimeType: string;
  fileSize: number | null;
  kind: JobKind;
  regenerateTypes: RegenerateType[] | null;
  stage: JobStage | null;
  scanStatus: ScanStatus | null;
  scanSignature: string | null;
  assetCount: number;
}

export interface JobStageTiming {
  name: string;
  outcome: StageOutcome;
  ms: number;
}

export interface JobError {
  stage: ErrorStage;
  code: ErrorCode;
  message: string;
}

/** GET /api/v1/jobs/{id}: a job with its stage timings and errors. */
export interface JobDetail extends Job {
  stages: JobStageTiming[];
  errors: JobError[];
}

/** How many jobs are in each status, under every filter but the status. */
export type StatusCounts = Record<JobStatus, number>;

export interface JobListResponse {
  jobs: Job[];
  total: number;
  limit: number;
  offset: number;
  counts: StatusCounts;
}

/** One output of a job (the contract's AssetResponse). */
export interface Asset {
  id: string;
  jobId: string;
  userId: string;
  assetType: OutputType;
  url: string;
  width: number | null;
  height: number | null;
  fileSize: number;
  isPublic: boolean;
  viralScore: number | null;
  createdAt: string;
  name: string;
  size: ThumbnailSize | null;
  contentType: string;
  key: string;
  duration: number | null;
}

/**
 * Filters of GET /api/v1/jobs. 'all' (or leaving a field out) means no
 * filter: the query string then omits it.
 */
export interface JobFilters {
  status?: JobStatus | 'all';
  assetType?: AssetType | 'all';
  /** Text in the job id, asset id, title (file name) or storage key. */
  query?: string;
  /** ISO 8601 times, inclusive, on createdAt. */
  createdFrom?: string;
  createdTo?: string;
  sort?: JobSort;
  limit?: number;
  offset?: number;
}

/** newest: createdAt desc (the default); oldest: createdAt asc; updated: updatedAt desc. */
export type JobSort = 'newest' | 'oldest' | 'updated';
export const JOB_SORTS: readonly JobSort[] = ['newest', 'oldest', 'updated'];

/** A message the worker (or the API tier) sent to asset.dlq. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  /** Kafka allows a message without a key. */
  key: string | null;
  /** Header name → value, e.g. x-dlq-error-code, x-dlq-error-message. */
  headers: Record<string, string>;
  /** The message's value as text (null for a message without one). */
  value: string | null;
  receivedAt: string;
  /** Whether Replay can publish it again, and why not. */
  replay: { possible: boolean; reason: string | null };
}

export interface DeadLetterListResponse {
  deadLetters: DeadLetter[];
  total: number;
  limit: number;
  offset: number;
}

/** 202 answer of POST /api/v1/dead-letters/{partition}/{offset}/replay. */
export interface ReplayResponse {
  topic: string;
  ceId: string;
  jobId: string;
  assetId: string;
}

/** 202 answer of POST /api/v1/jobs/{id}/regenerate: the new job. */
export interface RegenerateResponse {
  jobId: string;
  assetId: string;
  types: RegenerateType[];
}
