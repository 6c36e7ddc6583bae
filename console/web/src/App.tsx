import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { DeadLetterList } from './components/DeadLetterList';
import { FilterBar } from './components/FilterBar';
import { JobList } from './components/JobList';
import { PageHeader } from './components/PageHeader';
import { Tabs } from './components/Tabs';
import { useViewState } from './lib/useViewState';
import { DEFAULT_VIEW } from './lib/viewState';

export function App() {
  const queryClient = useQueryClient();
  const [view, setView] = useViewState();
  const [refreshing, setRefreshing] = useState(false);

  const refresh = () => {
    setRefreshing(true);
    void queryClient.invalidateQueries().finally(() => setRefreshing(false));
  };
  const clearFilters = () => setView({ ...DEFAULT_VIEW, sort: view.sort });

  return (
    <main className="page">
      <PageHeader />
      <div className="toolbar">
        <Tabs value={view.tab} onChange={(tab) => setView({ ...view, tab })} />
        <FilterBar
          value={view}
          onChange={setView}
          onRefresh={refresh}
          refreshing={refreshing}
          showFilters={view.tab === 'jobs'}
        />
      </div>
      <section id={`panel-${view.tab}`} role="tabpanel" aria-labelledby={`tab-${view.tab}`} className="panel">
        {view.tab === 'jobs' ? (
          <JobList view={view} onChange={setView} onClearFilters={clearFilters} />
        ) : (
          <DeadLetterList />
        )}
      </section>
    </main>
  );
}
