import type { AuditEntry } from './api'

type Data = Record<string, unknown>

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function account(data: Data): string {
  const provider = data.provider === 'amazon_ads' ? 'Ads account' : 'seller'
  return `${provider} ${text(data.account_id)} (${text(data.region)})`
}

/** One readable line per audit action (unknown actions show their code). */
export function describeAuditEntry(entry: AuditEntry): string {
  const data = entry.data as Data
  switch (entry.action) {
    case 'tenant.created':
      return `Created the tenant ${text(data.name)}`
    case 'connection.connected':
      return `Connected ${account(data)}`
    case 'connection.reconnected':
      return `Reconnected ${account(data)}`
    case 'connection.disconnected':
      return `Disconnected ${account(data)}`
    case 'connection.deleted':
      return `Deleted the data of ${text(data.account_id)}`
    case 'connection.data_deletion_scheduled':
      return `Data of the connection scheduled for deletion on ${new Date(text(data.due_at)).toLocaleDateString()} (${text(data.reason)})`
    case 'connection.data_deletion_cancelled':
      return 'Reconnected in time: the scheduled data deletion was cancelled'
    case 'connection.data_deleted':
      return `Deleted the data of ${text(data.account_id)} (${text(data.reason)})`
    case 'connection.needs_reauth':
      return `Amazon revoked the authorization (${text(data.reason)}): reconnect needed`
    case 'member.added':
      return `Added ${text(data.email)} as ${text(data.role)}`
    case 'member.invited':
      return `Invited ${text(data.email)} as ${text(data.role)}`
    case 'member.joined':
      return `${text(data.email)} accepted the invitation as ${text(data.role)}`
    case 'invitation.revoked':
      return `Revoked the invitation of ${text(data.email)} (${text(data.role)})`
    case 'member.role_changed':
      return `Changed the role of ${text(data.email ?? 'a member')} from ${text(data.from)} to ${text(data.to)}`
    case 'member.removed':
      return `Removed ${text(data.email ?? 'a member')} (${text(data.role)})`
    case 'flags.changed': {
      const changes = Object.entries((data.changes ?? {}) as Record<string, { from: boolean; to: boolean }>)
      if (changes.length === 0) return 'Saved feature flags (no change)'
      return changes.map(([key, c]) => `Turned ${key} ${c.to ? 'on' : 'off'}`).join('; ')
    }
    default:
      return entry.action
  }
}
