import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
// CSS only here: tests render views without it, so Jest never meets a stylesheet.
import './styles/base.css';
import './styles/controls.css';
import './styles/pictures.css';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
