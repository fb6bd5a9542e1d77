import { render } from 'preact';
import { Options } from './Options.tsx';
import '../../components/pages.css';
import { applyDocumentLocale } from '../../i18n/ui-locale.ts';

applyDocumentLocale(document);

render(<Options />, document.getElementById('app')!);
