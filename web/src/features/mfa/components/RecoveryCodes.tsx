import { KeyRound } from 'lucide-react'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'

/** The ten recovery codes, shown this once: only their hashes are kept. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="space-y-4">
      <Alert>
        <KeyRound />
        <AlertTitle>Save your recovery codes</AlertTitle>
        <AlertDescription>
          Each code signs you in once if you lose your phone. They are shown only now: store them somewhere safe.
        </AlertDescription>
      </Alert>
      <ol aria-label="Recovery codes" className="bg-muted/50 grid grid-cols-2 gap-2 rounded-md border p-3 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <Button onClick={onDone}>I have saved my recovery codes</Button>
    </div>
  )
}
