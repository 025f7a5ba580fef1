/** A full page load of `url` in this tab: everything the panel holds in memory (the cache of every
 *  query, the user) is dropped. Its own module so tests can replace it (jsdom does not navigate). */
export function loadPage(url: string): void {
  window.location.replace(url)
}
