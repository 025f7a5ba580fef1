import type { ReactNode } from 'react'
import { BarChart3, PackageSearch, ShieldCheck, Store } from 'lucide-react'

import { APP_NAME } from '@/lib/config'

const HIGHLIGHTS = [
  { icon: Store, text: 'Connect many Amazon seller accounts and Ads profiles' },
  { icon: PackageSearch, text: 'Orders kept in sync every 15 minutes' },
  { icon: BarChart3, text: 'Reports, feeds and advertising metrics in one place' },
  { icon: ShieldCheck, text: 'Buyer data fetched on demand, never stored' },
]

/** Two-column frame for the sign-in and sign-up pages (form only on small screens). */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="grid min-h-svh lg:grid-cols-2">
      <div className="flex flex-col gap-4 p-6 md:p-10">
        <div className="flex items-center gap-2 font-semibold">
          <div className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
            <Store className="size-4" aria-hidden />
          </div>
          {APP_NAME}
        </div>
        <div className="flex flex-1 items-center justify-center">
          <div className="w-full max-w-sm">{children}</div>
        </div>
      </div>
      <aside className="bg-muted relative hidden flex-col justify-between border-l p-10 lg:flex">
        <div className="space-y-2">
          <p className="text-muted-foreground text-sm font-medium tracking-wide uppercase">
            Amazon seller data, in your own database
          </p>
          <h2 className="max-w-md text-3xl font-semibold tracking-tight">
            One panel for every seller account you manage.
          </h2>
        </div>
        <ul className="space-y-4">
          {HIGHLIGHTS.map(({ icon: Icon, text }) => (
            <li key={text} className="flex items-center gap-3 text-sm">
              <span className="bg-background flex size-8 items-center justify-center rounded-md border">
                <Icon className="size-4" aria-hidden />
              </span>
              {text}
            </li>
          ))}
        </ul>
      </aside>
    </div>
  )
}
