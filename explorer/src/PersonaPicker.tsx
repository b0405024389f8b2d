/**
 * The bar at the top: in development a picker of personas whose development token and
 * treaty context fill the Headers tab; in production only a hint (no persona, no token).
 */
import type { PersonaPreset } from './api';
import { humanise } from './privacyText';

export interface PersonaPickerProps {
  readonly production: boolean;
  /** null: personas not offered (production, or a gateway with a configured JWT key). */
  readonly personas: readonly PersonaPreset[] | null;
  readonly personasError: string | null;
  readonly selected: PersonaPreset | null;
  /** The Headers tab no longer holds the selected persona's headers. */
  readonly edited: boolean;
  readonly onPick: (key: string) => void;
}

export function TopBar(props: PersonaPickerProps) {
  return (
    <header className="tg-topbar">
      <div className="tg-brand">
        <span className="tg-brand-mark" aria-hidden="true">
          ◆
        </span>
        <span className="tg-brand-name">Treatygate</span>
        <span className="tg-brand-sub">explorer</span>
      </div>
      {props.production ? (
        <p className="tg-hint" data-testid="production-hint">
          Put your token and treaty context in the <strong>Headers</strong> tab:{' '}
          <code>{'{"Authorization": "Bearer …", "X-Agreement-Id": "…", "X-Purpose": "…"}'}</code>
        </p>
      ) : props.personas ? (
        <PersonaPicker {...props} personas={props.personas} />
      ) : (
        <p className="tg-hint" data-testid="personas-unavailable">
          {props.personasError ?? 'Development personas are not offered by this gateway (a JWT key is configured).'} Put your token and
          treaty context in the <strong>Headers</strong> tab.
        </p>
      )}
      <span className={`tg-env ${props.production ? 'tg-env-production' : 'tg-env-development'}`} data-testid="environment">
        {props.production ? 'production' : 'development'}
      </span>
    </header>
  );
}

function PersonaPicker({ personas, selected, edited, onPick }: PersonaPickerProps & { personas: readonly PersonaPreset[] }) {
  return (
    <div className="tg-persona">
      <label className="tg-persona-label" htmlFor="tg-persona-select">
        Persona
      </label>
      <select
        id="tg-persona-select"
        data-testid="persona-picker"
        value={selected?.key ?? ''}
        onChange={(event) => {
          if (event.target.value) onPick(event.target.value);
        }}
      >
        <option value="" disabled>
          Choose a development persona…
        </option>
        {personas.map((persona) => (
          <option key={persona.key} value={persona.key}>
            {persona.label}
          </option>
        ))}
      </select>
      {selected ? (
        <ul className="tg-persona-facts" data-testid="persona-facts" aria-label="Caller and treaty context">
          <li title="party (JWT claim party)">{selected.party}</li>
          <li title="clearance (JWT claim clearance)">{selected.clearance}</li>
          <li title="roles (JWT claim roles)">{selected.roles.join(', ') || 'no roles'}</li>
          <li title="X-Agreement-Id">{selected.agreementId}</li>
          <li title="X-Purpose">{humanise(selected.purpose)}</li>
          {edited ? (
            <li className="tg-persona-edited" title="The Headers tab was changed after picking the persona">
              headers edited
            </li>
          ) : null}
        </ul>
      ) : (
        <span className="tg-persona-none">Fills the Headers tab with a development token, X-Agreement-Id and X-Purpose.</span>
      )}
    </div>
  );
}
