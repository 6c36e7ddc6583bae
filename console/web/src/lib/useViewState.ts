import { useCallback, useEffect, useState } from 'react';
import { parseViewState, viewStateSearch, type ViewState } from './viewState';

/**
 * The page's view state, read from and written to location.search
 * (history.replaceState; the back button follows popstate).
 */
export function useViewState(): [ViewState, (next: ViewState) => void] {
  const [state, setState] = useState(() => parseViewState(window.location.search));

  useEffect(() => {
    const onPop = () => setState(parseViewState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const update = useCallback((next: ViewState) => {
    const url = `${window.location.pathname}${viewStateSearch(next)}${window.location.hash}`;
    window.history.replaceState(null, '', url);
    setState(next);
  }, []);

  return [state, update];
}
