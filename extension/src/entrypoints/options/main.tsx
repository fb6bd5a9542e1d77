import { render } from 'preact';
import { Options } from './Options.tsx';
import '../../components/pages.css';

render(<Options />, document.getElementById('app')!);
