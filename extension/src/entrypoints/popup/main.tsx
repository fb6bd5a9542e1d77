import { render } from 'preact';
import { Popup } from './Popup.tsx';
import '../../components/pages.css';
import { applyDocumentLocale } from '../../i18n/ui-locale.ts';

applyDocumentLocale(document);

render(<Popup />, document.getElementById('app')!);
