import { useTranslation } from 'react-i18next';
import type { AgentRole } from '@/lib/contract/models';

const ROLES: readonly AgentRole[] = ['agent', 'lead', 'admin'];

/** The roles an agent can have, as a `<select>`'s options named in the agent's language. */
export function RoleOptions() {
  const { t } = useTranslation('admin');
  return ROLES.map((role) => (
    <option key={role} value={role}>
      {t(`roles.${role}`)}
    </option>
  ));
}
