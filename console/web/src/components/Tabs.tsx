import type { TabId } from '../lib/viewState';

const TABS: { id: TabId; label: string }[] = [
  { id: 'jobs', label: 'Jobs' },
  { id: 'dead-letters', label: 'Dead letters' },
];

export function Tabs({ value, onChange }: { value: TabId; onChange: (tab: TabId) => void }) {
  return (
    <div className="tabs" role="tablist">
      {TABS.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          id={`tab-${tab.id}`}
          aria-selected={value === tab.id}
          aria-controls={`panel-${tab.id}`}
          className={value === tab.id ? 'tab active' : 'tab'}
          data-testid={`tab-${tab.id}`}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
