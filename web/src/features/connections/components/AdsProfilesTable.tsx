import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { AdsProfile, Connection } from '../api'

export function AdsProfilesTable({ profiles, connections }: { profiles: AdsProfile[]; connections: Connection[] }) {
  const byId = new Map(connections.map((c) => [c.id, c]))
  if (profiles.length === 0) return <p className="text-muted-foreground text-sm">No advertising profiles found.</p>
  return (
    <Table aria-label="Advertising profiles">
      <TableHeader>
        <TableRow>
          <TableHead>Profile</TableHead>
          <TableHead>Country</TableHead>
          <TableHead>Currency</TableHead>
          <TableHead>Timezone</TableHead>
          <TableHead>Linked seller account</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {profiles.map((profile) => {
          const linked = profile.linked_sp_connection_id ? byId.get(profile.linked_sp_connection_id) : undefined
          return (
            <TableRow key={profile.profile_id} data-profile-id={profile.profile_id}>
              <TableCell className="font-mono text-xs">{profile.profile_id}</TableCell>
              <TableCell>{profile.country_code}</TableCell>
              <TableCell>{profile.currency_code}</TableCell>
              <TableCell className="text-xs">{profile.timezone}</TableCell>
              <TableCell className="text-xs" data-testid="linked-sp">
                {linked ? `${linked.display_name ?? linked.account_id} (${profile.marketplace_id})` : 'Not linked'}
              </TableCell>
            </TableRow>
          )
        })}
      </TableBody>
    </Table>
  )
}
