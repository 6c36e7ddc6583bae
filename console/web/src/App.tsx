import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { DeadLetterList } from './components/DeadLetterList';
import { FilterBar, type FilterState } from './components/FilterBar';
import { JobList } from './components/JobList';
import { PageHeader } from './components/PageHeader';
import { Tabs, type TabId } from './components/Tabs';

const NO_FILTERS: FilterState = { status: 'all', assetType: 'all' };

export function App() {
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<FilterState>(NO_FILTERS);
  const [tab, setTab] = useState<TabId>('jobs');
  const [refreshing, setRefreshing] = useState(false);

  const refresh = () => {
    setRefreshing(true);
    void queryClient.invalidateQueries().finally(() => setRefreshing(false));
  };

  return (
    <main className="page">
      <PageHeader />
      <div className="toolbar">
        <Tabs value={tab} onChange={setTab} />
        <FilterBar
          value={filters}
          onChange={setFilters}
          onRefresh={refresh}
          refreshing={refreshing}
          showFilters={tab === 'jobs'}
        />
      </div>
      <section id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="panel">
        {tab === 'jobs' ? (
          <JobList filters={filters} onClearFilters={() => setFilters(NO_FILTERS)} />
        ) : (
          <DeadLetterList />
        )}
      </section>
    </main>
  );
}
