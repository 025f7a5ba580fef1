import { useParams } from 'react-router'

import { ErrorState } from '@/components/common/ErrorState'
import { PageHeader } from '@/components/common/PageHeader'
import { Skeleton } from '@/components/ui/skeleton'
import { useAdsProfiles } from '@/features/ads/api'
import { DateRangePicker } from '@/features/ads/components/DateRangePicker'
import { NoProfiles } from '@/features/ads/components/NoData'
import { ProfileDashboard } from '@/features/ads/components/ProfileDashboard'
import { ProfilePicker } from '@/features/ads/components/ProfilePicker'
import { SyncNowButton } from '@/features/ads/components/SyncNowButton'
import { choiceParams, readView, resolveRange } from '@/features/ads/view'
import { SelectField } from '@/features/reports/components/SelectField'
import { canManage, useTenant } from '@/features/tenants/api'
import { usePatchableSearchParams } from '@/lib/search-params'

/** Amazon counts a sale for an ad up to 7 (sellers' default) or 14 days after its click. */
const ATTRIBUTIONS = [
  { value: '7', label: '7 days after the click' },
  { value: '14', label: '14 days after the click' },
]

const DESCRIPTION = 'Sponsored Products per product: what the ads cost, what they sold, and what that is of all sales.'

export function AdsPage() {
  const { id: tenantId = '' } = useParams()
  const [params, update] = usePatchableSearchParams()
  const tenant = useTenant(tenantId)
  const profiles = useAdsProfiles(tenantId)
  const view = readView(params)
  const list = profiles.data?.profiles ?? []
  const profile = list.find((p) => p.profile_id === view.profileId) ?? list[0] ?? null
  const header = (
    <PageHeader
      title="Ads"
      description={DESCRIPTION}
      actions={profile && canManage(tenant.data?.role) ? <SyncNowButton tenantId={tenantId} profileId={profile.profile_id} /> : null}
    />
  )
  if (profiles.isPending) {
    return (
      <>
        {header}
        <Skeleton className="h-64 w-full" data-testid="ads-profiles-loading" />
      </>
    )
  }
  if (profiles.isError) {
    return (
      <>
        {header}
        <ErrorState error={profiles.error} title="Could not load the advertising profiles" onRetry={() => void profiles.refetch()} />
      </>
    )
  }
  if (!profile) {
    return (
      <>
        {header}
        <NoProfiles tenantId={tenantId} />
      </>
    )
  }
  const range = resolveRange(view.choice, profile.timezone)
  return (
    <>
      {header}
      <div className="space-y-6">
        <div className="grid gap-4 md:grid-cols-[minmax(0,20rem)_1fr_auto] md:items-start">
          <ProfilePicker profiles={list} value={profile} onChange={(profileId) => update({ profile: profileId })} />
          <DateRangePicker
            // A new profile or a range set from elsewhere (the no-data state) opens the picker afresh.
            key={`${profile.profile_id}:${view.choice.preset === 'custom' ? `${range.start}..${range.end}` : 'preset'}`}
            value={view.choice}
            range={range}
            onChange={(choice) => update(choiceParams(choice))}
          />
          <SelectField
            id="ads-attribution"
            label="Attribution"
            value={String(view.attribution)}
            options={ATTRIBUTIONS}
            onChange={(value) => update({ attribution: value === '14' ? '14' : '' })}
          />
        </div>
        <ProfileDashboard
          key={profile.profile_id}
          tenantId={tenantId}
          profile={profile}
          readAt={profiles.dataUpdatedAt}
          query={{ profile_id: profile.profile_id, ...range, attribution: view.attribution }}
          sort={view.sort}
          onSort={(next) => update({ sort: next.sort, order: next.order })}
          onShowRange={(days) => update(choiceParams({ preset: 'custom', ...days }))}
        />
      </div>
    </>
  )
}
