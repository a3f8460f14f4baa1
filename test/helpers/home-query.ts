/** A home screen for a user given as $id: every leg of the fan-out, the shape the integration tests load with. */
export const HOME = `query Home($id: ID!) { home(userId: $id) {
  user { id name }
  recentOrders(first: 5) { id items { quantity product { name price { formatted } stock } } }
  recommendations(first: 10) { id name price { formatted } }
  notifications { unreadCount latest(first: 5) { id } }
} }`
