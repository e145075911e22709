import type { AdminOverview } from '@/lib/contract/api';
import type { AgentProfile, AgentRole } from '@/lib/contract/models';
import { sendMessage } from '@/lib/messaging/protocol';
import type { RunAdminAction } from './useAdminAction';

/** The team: each agent with their role (changeable) and a button to remove them (not oneself). */
export function Team({ data, me, run }: { data: AdminOverview; me: AgentProfile; run: RunAdminAction }) {
  return (
    <section id="team" className="card" aria-labelledby="team-heading">
      <h3 id="team-heading">Team</h3>
      <table aria-label="Agents">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.members.map((m) => (
            <tr key={m.id}>
              <td>{m.displayName}</td>
              <td>{m.email}</td>
              <td>
                <select
                  aria-label={`Role of ${m.displayName}`}
                  value={m.role}
                  onChange={(e) => void run(sendMessage('admin:setRole', { agentId: m.id, role: e.target.value as AgentRole }))}
                >
                  <option value="agent">Agent</option>
                  <option value="admin">Admin</option>
                </select>
              </td>
              <td>
                {m.id !== me.id && (
                  <button
                    type="button"
                    onClick={() => confirm(`Remove ${m.displayName} from the team?`) && void run(sendMessage('admin:removeAgent', { agentId: m.id }))}
                  >
                    Remove {m.displayName}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
