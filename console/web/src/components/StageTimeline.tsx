import type { JobStageTiming, StageOutcome } from '../api/types';
import { formatMs } from '../lib/format';

const OUTCOME_ICON: Record<StageOutcome, string> = { ok: '✅', skipped: '⏭️', error: '❌' };

export function StageTimeline({ stages }: { stages: JobStageTiming[] }) {
  if (stages.length === 0) return <p className="muted">No stage has finished yet.</p>;
  const longest = Math.max(1, ...stages.map((s) => s.ms));
  return (
    <ol className="stages">
      {stages.map((s, i) => (
        <li key={`${s.name}-${i}`} className={`stage-row outcome-${s.outcome}`} data-testid="stage-row" data-outcome={s.outcome}>
          <span className="stage-icon" aria-hidden="true">
            {OUTCOME_ICON[s.outcome] ?? '•'}
          </span>
          <span className="stage-name">{s.name}</span>
          <span className="stage-outcome">{s.outcome}</span>
          <span className="stage-bar" aria-hidden="true">
            <span style={{ width: `${(s.ms / longest) * 100}%` }} />
          </span>
          <span className="stage-ms">{formatMs(s.ms)}</span>
        </li>
      ))}
    </ol>
  );
}
