/**
 * The operations GraphiQL opens with, one tab each. Ids refer to the seeded
 * mock world (mocks/world), so every example runs as-is against `npm start`.
 * test/unit/graphiql/examples.test.ts validates each one against schema/.
 */
export interface GraphiQLExample {
  /** The query editor's contents; its operation name becomes the tab title. */
  readonly query: string
  /** The variables editor's contents, as JSON text; omitted when the operation has none. */
  readonly variables?: undefined | string
}

const json = (value: Readonly<Record<string, unknown>>): string => JSON.stringify(value, null, 2)

/**
 * The tab GraphiQL opens on: ready to run with Ctrl+Enter. Its arguments are
 * inline because GraphiQL 4 fills the first tab's query editor from
 * `defaultTabs` but not its variables editor: variables here would be lost.
 */
export const HOME_EXAMPLE: GraphiQLExample = {
  query: `# The home screen of user 1: one request, fanned out in parallel to the users,
# orders, recommendations, catalog, inventory and notifications services.
# Run it with Ctrl+Enter or the ▶ button; the other tabs hold more examples.
query Home {
  home(userId: "1") {
    user {
      id
      name
      handle
      avatarUrl
    }
    recentOrders(first: 3) {
      id
      status
      createdAt
      total {
        formatted
      }
    }
    recommendations(first: 4) {
      id
      name
      price {
        formatted
      }
      stock
    }
    notifications {
      unreadCount
      latest(first: 3) {
        id
        kind
        message
        read
      }
    }
  }
}
`,
}

/** Every example, in tab order; the first one is the tab GraphiQL opens on. */
export const GRAPHIQL_EXAMPLES: readonly GraphiQLExample[] = [
  HOME_EXAMPLE,
  {
    query: `# A user with followers and a page of orders. Pass pageInfo.endCursor as
# "after" to fetch the next page.
query UserWithFollowersAndOrders($id: ID!, $after: String) {
  user(id: $id) {
    id
    name
    handle
    joinedAt
    followers(first: 5) {
      id
      name
      handle
    }
    orders(first: 3, after: $after) {
      edges {
        cursor
        node {
          id
          status
          createdAt
          items {
            quantity
            unitPrice {
              formatted
            }
            product {
              id
              name
            }
          }
          total {
            formatted
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
`,
    variables: json({ id: '1', after: null }),
  },
  {
    query: `# A product with live price and stock (inventory service) and its newest reviews.
query ProductWithReviews($id: ID!) {
  product(id: $id) {
    id
    name
    description
    category
    images
    price {
      amount
      currency
      formatted
    }
    stock
    reviews(first: 3) {
      totalCount
      edges {
        cursor
        node {
          id
          rating
          body
          likes
          createdAt
          author {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
`,
    variables: json({ id: '1' }),
  },
  {
    query: `# Full-text search, cursor-paginated: copy pageInfo.endCursor into "after"
# and run again for the next page.
query SearchProducts($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        name
        category
        price {
          formatted
        }
        stock
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`,
    variables: json({ query: 'sneakers', first: 5, after: null }),
  },
  {
    query: `# Places an order for user 1 at current prices; it starts in status PLACED
# and shows up in the OrderStatusChanged subscription.
mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id
    status
    createdAt
    items {
      quantity
      unitPrice {
        formatted
      }
      product {
        id
        name
      }
    }
    total {
      formatted
    }
  }
}
`,
    variables: json({ input: { userId: '1', items: [{ productId: '1', quantity: 2 }] } }),
  },
  {
    query: `# Likes a review. Review ids come from the ProductWithReviews tab.
mutation LikeReview($id: ID!) {
  likeReview(id: $id) {
    id
    likes
    rating
    product {
      id
      name
    }
  }
}
`,
    variables: json({ id: '555' }),
  },
  {
    query: `# Marks notifications read and returns how many changed. Notification ids
# come from the Home tab (notifications.latest).
mutation MarkNotificationsRead($ids: [ID!]!) {
  markNotificationsRead(ids: $ids)
}
`,
    variables: json({ ids: ['7414'] }),
  },
  {
    query: `# Streams user 1's order events over the websocket (graphql-transport-ws).
# Start it, then run PlaceOrder (e.g. in a second window) to see an event arrive.
subscription OrderStatusChanged {
  orderStatusChanged(userId: "1") {
    eventId
    occurredAt
    order {
      id
      status
    }
  }
}
`,
  },
]
