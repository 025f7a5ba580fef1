// Most specific first: Edge's user agent also names Chrome and Safari, Chrome's also names Safari.
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
]
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad/, 'iOS'],
  [/Mac OS X/, 'macOS'],
  [/Android/, 'Android'],
  [/Linux/, 'Linux'],
]

/** A browser's name from its user agent, short enough for a table cell. */
export function browserOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser'
  const name = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (!name) return userAgent.slice(0, 60)
  return system ? `${name} on ${system}` : name
}
