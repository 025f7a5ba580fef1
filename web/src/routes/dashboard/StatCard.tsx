import type { LucideIcon } from 'lucide-react'

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'

interface StatCardProps {
  label: string
  value: string
  hint: string
  icon: LucideIcon
}

export function StatCard({ label, value, hint, icon: Icon }: StatCardProps) {
  return (
    <Card role="group" aria-label={label} className="gap-2 py-4 sm:py-5">
      <CardHeader className="flex flex-row items-center justify-between gap-2 px-4 sm:px-5">
        <CardDescription>{label}</CardDescription>
        <Icon className="text-muted-foreground size-4 shrink-0" aria-hidden />
      </CardHeader>
      <CardContent className="space-y-1 px-4 sm:px-5">
        <CardTitle className="text-2xl font-semibold tabular-nums">{value}</CardTitle>
        <p className="text-muted-foreground text-xs">{hint}</p>
      </CardContent>
    </Card>
  )
}
