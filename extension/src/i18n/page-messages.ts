// Imported (for this effect) by the popup and the options page: their own messages join the catalog that every
// context loads. The content script never imports this module, so it does not ship them.
import { PAGE_MESSAGES } from './page-messages.generated.ts';
import { addPageMessages } from './ui-locale.ts';

addPageMessages(PAGE_MESSAGES);
