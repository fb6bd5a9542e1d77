import type { Translator } from '@clvlens/core/i18n/base';
import type { BadgeSettings } from '../../messages/protocol.ts';

const FIELDS: (keyof BadgeSettings['fields'])[] = ['churnTier', 'predictedClv', 'historicClv', 'orderCount', 'overdue', 'repeat'];

/** What badges and the card show: each box saves the settings at once (`save`). */
export function BadgeSettingsForm(props: { t: Translator; settings: BadgeSettings; save(next: BadgeSettings): void }) {
  const { t, settings, save } = props;
  const checked = (e: Event) => (e.target as HTMLInputElement).checked;
  return (
    <fieldset data-testid="badge-settings">
      <legend>{t.t('ext.options.whatToShow')}</legend>
      <label>
        <input type="checkbox" name="showListBadges" checked={settings.showListBadges} onChange={(e) => save({ ...settings, showListBadges: checked(e) })} />{' '}
        {t.t('ext.options.showListBadges')}
      </label>
      <label>
        <input type="checkbox" name="showDetailCard" checked={settings.showDetailCard} onChange={(e) => save({ ...settings, showDetailCard: checked(e) })} />{' '}
        {t.t('ext.options.showDetailCard')}
      </label>
      {FIELDS.map((field) => (
        <label key={field}>
          <input
            type="checkbox"
            name={field}
            checked={settings.fields[field]}
            onChange={(e) => save({ ...settings, fields: { ...settings.fields, [field]: checked(e) } })}
          />{' '}
          {t.t(`ext.options.field.${field}`)}
        </label>
      ))}
    </fieldset>
  );
}
