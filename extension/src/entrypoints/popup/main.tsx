import { render } from 'preact';
import { Popup } from './Popup.tsx';
import '../../components/pages.css';

render(<Popup />, document.getElementById('app')!);
