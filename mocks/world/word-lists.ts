/** Word lists the seeded world draws from. Changing any of them changes every seeded value. */

export const FIRST_NAMES: readonly string[] = [
  'Ada', 'Alan', 'Amara', 'Ben', 'Bianca', 'Carlos', 'Chen', 'Dana', 'David', 'Elena',
  'Emeka', 'Farah', 'Felix', 'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jade', 'Jonas',
  'Kai', 'Kemal', 'Lara', 'Leo', 'Lina', 'Mara', 'Mateo', 'Mei', 'Nadia', 'Nils',
  'Noor', 'Omar', 'Olga', 'Pablo', 'Priya', 'Quinn', 'Rafael', 'Rosa', 'Sami', 'Sofia',
  'Tariq', 'Tess', 'Uma', 'Victor', 'Vera', 'Wen', 'Xavier', 'Yara', 'Yusuf', 'Zoe',
]

export const LAST_NAMES: readonly string[] = [
  'Abbott', 'Alvarez', 'Bauer', 'Brooks', 'Castro', 'Chowdhury', 'Costa', 'Dubois', 'Eriksen', 'Fischer',
  'Garcia', 'Haddad', 'Hansen', 'Ito', 'Jensen', 'Kaur', 'Kowalski', 'Larsen', 'Lopez', 'Moreau',
  'Nakamura', 'Novak', 'Okafor', 'Olsen', 'Patel', 'Petrov', 'Quinto', 'Rossi', 'Santos', 'Schmidt',
  'Silva', 'Suzuki', 'Tanaka', 'Torres', 'Usman', 'Varga', 'Weber', 'Wong', 'Yilmaz', 'Zhang',
]

export const ADJECTIVES: readonly string[] = [
  'Ergonomic', 'Rustic', 'Sleek', 'Handcrafted', 'Practical', 'Refined', 'Intelligent', 'Gorgeous',
  'Incredible', 'Fantastic', 'Small', 'Tasty', 'Generic', 'Licensed', 'Modern', 'Vintage',
  'Compact', 'Durable', 'Lightweight', 'Premium', 'Recycled', 'Elegant', 'Awesome', 'Unbranded',
]

export const MATERIALS: readonly string[] = [
  'Steel', 'Wooden', 'Concrete', 'Plastic', 'Cotton', 'Granite', 'Rubber', 'Metal',
  'Soft', 'Fresh', 'Frozen', 'Bamboo', 'Ceramic', 'Leather', 'Glass', 'Bronze',
]

/** Category → nouns sold in it, so a "Lamp" is always in Home. */
export const CATEGORY_NOUNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Home', ['Lamp', 'Chair', 'Table', 'Vase', 'Shelf']],
  ['Kitchen', ['Kettle', 'Pan', 'Knife', 'Mug', 'Bowl']],
  ['Electronics', ['Keyboard', 'Mouse', 'Speaker', 'Headphones', 'Charger']],
  ['Sports', ['Ball', 'Racket', 'Bike', 'Helmet', 'Mat']],
  ['Outdoors', ['Tent', 'Backpack', 'Lantern', 'Hammock', 'Compass']],
  ['Clothing', ['Shirt', 'Jacket', 'Hat', 'Scarf', 'Gloves']],
  ['Shoes', ['Sneakers', 'Boots', 'Sandals', 'Loafers', 'Slippers']],
  ['Toys', ['Puzzle', 'Robot', 'Kite', 'Blocks', 'Yo-yo']],
  ['Garden', ['Shovel', 'Planter', 'Hose', 'Rake', 'Bench']],
  ['Beauty', ['Brush', 'Mirror', 'Comb', 'Soap', 'Towel']],
  ['Office', ['Pen', 'Notebook', 'Stapler', 'Desk', 'Folder']],
  ['Grocery', ['Cheese', 'Bacon', 'Chips', 'Salad', 'Pizza']],
]

export const CATEGORIES: readonly string[] = CATEGORY_NOUNS.map(([category]) => category)

export const DESCRIPTION_OPENERS: readonly string[] = [
  'Built for everyday use', 'Designed with care', 'A customer favourite', 'Made to last',
  'Our best-selling pick', 'Crafted in small batches', 'Tested by our team', 'A quiet classic',
]

export const DESCRIPTION_BENEFITS: readonly string[] = [
  'fits any space', 'cleans up in seconds', 'stays comfortable all day', 'ships flat',
  'pairs well with the rest of the range', 'handles heavy use', 'comes with a two-year warranty',
  'is easy to set up', 'looks good anywhere', 'is kind to the planet',
]

export const REVIEW_OPENERS: readonly string[] = [
  'Exactly as described.', 'Better than expected.', 'Not what I hoped for.', 'Solid value.',
  'Arrived quickly.', 'Would buy again.', 'Decent, with a few flaws.', 'Absolutely love it.',
]

export const REVIEW_DETAILS: readonly string[] = [
  'The finish feels premium.', 'Packaging could be better.', 'My kids use it every day.',
  'It broke after a month.', 'Colour matches the photos.', 'Setup took five minutes.',
  'A bit smaller than I thought.', 'Great gift idea.', 'Customer service was helpful.',
]

export const NOTIFICATION_MESSAGES: Readonly<Record<'ORDER' | 'SOCIAL' | 'PROMOTION', readonly string[]>> = {
  ORDER: ['Your order has shipped', 'Your order was delivered', 'Payment received for your order', 'Your order is being packed'],
  SOCIAL: ['You have a new follower', 'Someone liked your review', 'A friend joined the shop', 'Your review got a reply'],
  PROMOTION: ['Weekend sale: 20% off Home', 'Free shipping on orders over $50', 'New arrivals in Sports', 'Flash deal ends tonight'],
}
