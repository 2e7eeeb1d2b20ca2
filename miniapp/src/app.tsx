import { useEffect, type PropsWithChildren } from 'react';
import { platform } from './platform';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useEffect(() => platform.prepareShell(), []);
  return children;
}

export default App;
