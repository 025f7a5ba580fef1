import { REGIONS, type Region } from '../api'

export function RegionSelect({ id, value, onChange }: { id: string; value: Region; onChange: (r: Region) => void }) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value as Region)}
      className="border-input bg-background h-9 rounded-md border px-2 text-sm shadow-xs"
    >
      {REGIONS.map((region) => (
        <option key={region.value} value={region.value}>
          {region.label} ({region.value})
        </option>
      ))}
    </select>
  )
}
