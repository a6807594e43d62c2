import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './index.css';
import { App } from './App.tsx';
import { installTestHook } from './game/test-hook.ts';
import { DatasetsRoute, isDatasetsPage } from './datasets/route.tsx';
import { TEST_HOOKS } from './game/test-build.ts';

if (TEST_HOOKS) installTestHook();
createRoot(document.getElementById('root')!).render(
  <StrictMode>{isDatasetsPage() ? <DatasetsRoute /> : <App />}</StrictMode>,
);
