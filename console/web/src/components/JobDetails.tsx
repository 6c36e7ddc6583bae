import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryKeys, useJob, useJobAssets, useRegenerate } from '../api/hooks';
import type { Job, RegenerateType } from '../api/types';
import { AssetGrid } from './AssetGrid';
import { ErrorBanner } from './ErrorBanner';
import { StageTimeline } from './StageTimeline';

const REGENERATE_CHOICES: { type: RegenerateType; label: string }[] = [
  { type: 'all', label: 'Everything' },
  { type: 'thumbnail', label: 'Thumbnails' },
  { type: 'preview', label: 'Preview clip / waveform' },
  { type: 'metadata', label: 'Metadata' },
  { type: 'outdated', label: 'Only what is outdated or missing' },
];

const isRegenerateType = (v: string): v is RegenerateType => REGENERATE_CHOICES.some((c) => c.type === v);

/** The expanded part of a job card: stages, errors, regenerate, outputs. */
export function JobDetails({ job }: { job: Job }) {
  const detail = useJob(job.id);
  const assets = useJobAssets(job.id);
  const regenerate = useRegenerate();
  const [types, setTypes] = useState<RegenerateType>('all');
  const queryClient = useQueryClient();

  // The list polls while the job runs; when it reports a change, the detail
  // and the outputs are fetched again (outputs appear when the job ends).
  const version = `${job.status}|${job.updatedAt}`;
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void queryClient.invalidateQueries({ queryKey: queryKeys.job(job.id) });
  }, [version, job.id, queryClient]);

  const data = detail.data;
  return (
    <div className="job-details">
      <section>
        <h4>Stages</h4>
        {detail.isPending && <p className="muted">Loading…</p>}
        {detail.isError && <ErrorBanner what="the job" error={detail.error} onRetry={() => void detail.refetch()} />}
        {data && <StageTimeline stages={data.stages} />}
      </section>

      {data && data.errors.length > 0 && (
        <section>
          <h4>Errors</h4>
          <ul className="error-list" data-testid="error-list">
            {data.errors.map((e, i) => (
              <li key={`${e.stage}-${e.code}-${i}`}>
                <code className="error-code">{e.code}</code> <span className="muted">in {e.stage}</span>
                <div>{e.message}</div>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="regenerate-row">
        <label className="field field-inline">
          <span>Regenerate</span>
          <select
            data-testid="regenerate-types"
            value={types}
            onChange={(e) => {
              const v = e.target.value;
              if (isRegenerateType(v)) setTypes(v);
            }}
          >
            {REGENERATE_CHOICES.map((c) => (
              <option key={c.type} value={c.type}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-secondary"
          data-testid="regenerate"
          disabled={regenerate.isPending}
          onClick={() => regenerate.mutate({ jobId: job.id, types: [types] })}
        >
          ♻️ {regenerate.isPending ? 'Requesting…' : 'Regenerate'}
        </button>
        {regenerate.isSuccess && (
          <span className="muted" data-testid="regenerate-result" role="status">
            Requested as job <code>{regenerate.data.jobId}</code> ({regenerate.data.types.join(', ')})
          </span>
        )}
        {regenerate.isError && (
          <span className="error-text" role="alert">
            Regenerate failed: {regenerate.error.message}
          </span>
        )}
      </section>

      <section>
        <h4>Outputs</h4>
        {assets.isPending && <p className="muted">Loading outputs…</p>}
        {assets.isError && (
          <ErrorBanner what="the outputs" error={assets.error} onRetry={() => void assets.refetch()} />
        )}
        {assets.data && <AssetGrid assets={assets.data} />}
      </section>
    </div>
  );
}
