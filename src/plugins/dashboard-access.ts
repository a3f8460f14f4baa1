import { hasScope, type Viewer } from '../identity/viewer.js'

/** The scope the dashboard and its data stream need when identity is on. */
export const DASHBOARD_SCOPE = 'admin'

/**
 * The one gate of the dashboard: open to all while identity is off (a
 * development stack, or a deployment that keeps /dashboard on an internal
 * port), else only to a verified caller holding the `admin` scope.
 */
export function canSeeDashboard(viewer: Viewer, identityRequired: boolean): boolean {
  return !identityRequired || hasScope(viewer, DASHBOARD_SCOPE)
}
