import { lazy, Suspense } from 'react';

/** `?page=datasets` opens the Datasets page instead of the game (its code loads only then). */
export function isDatasetsPage(search = window.location.search): boolean {
  return new URLSearchParams(search).get('page') === 'datasets';
}

const DatasetsPage = lazy(() => import('./DatasetsPage.tsx'));

export function DatasetsRoute() {
  return (
    <Suspense fallback={<p className="p-6 text-slate-400">Loading datasets…</p>}>
      <DatasetsPage />
    </Suspense>
  );
}
