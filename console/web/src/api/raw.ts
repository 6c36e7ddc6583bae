// The console API's JSON exactly as docs/console.md spells it (snake_case),
// the input of transform.ts.
import type {
  AssetType,
  ErrorCode,
  ErrorStage,
  JobKind,
  JobStage,
  JobStatus,
  OutputType,
  RegenerateType,
  ScanStatus,
  StageOutcome,
  ThumbnailSize,
} from './types';

export interface RawJob {
  id: string;
  user_id: string;
  brand_kit_id: string | null;
  asset_type: AssetType;
  status: JobStatus;
  progress: number;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  asset_id: string;
  title: string | null;
  mime_type: string;
  file_size: number | null;
  kind: JobKind;
  regenerate_types: RegenerateType[] | null;
  stage: JobStage | null;
  scan_status: ScanStatus | null;
  scan_signature: string | null;
  asset_count: number;
}

export interface RawJobDetail extends RawJob {
  stages: { name: string; outcome: StageOutcome; ms: number }[];
  errors: { stage: ErrorStage; code: ErrorCode; message: string }[];
}

export interface RawJobList {
  jobs: RawJob[];
  total: number;
  limit: number;
  offset: number;
  counts: Record<JobStatus, number>;
}

export interface RawReplayResponse {
  topic: string;
  ce_id: string;
  job_id: string;
  asset_id: string;
}

export interface RawAsset {
  id: string;
  job_id: string;
  user_id: string;
  asset_type: OutputType;
  url: string;
  width: number | null;
  height: number | null;
  file_size: number;
  is_public: boolean;
  viral_score: number | null;
  created_at: string;
  name: string;
  size: ThumbnailSize | null;
  content_type: string;
  key: string;
  duration: number | null;
}

export interface RawDeadLetter {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
  received_at: string;
  replay: { possible: boolean; reason: string | null };
}

export interface RawDeadLetterList {
  dead_letters: RawDeadLetter[];
  total: number;
  limit: number;
  offset: number;
}

export interface RawRegenerateResponse {
  job_id: string;
  asset_id: string;
  types: RegenerateType[];
}

/** Body of every 4xx/5xx answer. */
export interface RawApiError {
  error: { code: string; field?: string; message: string };
}
