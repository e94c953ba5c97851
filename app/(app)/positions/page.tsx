import { redirect } from 'next/navigation'

// Positions have no list of their own: open ones are on the dashboard (closed ones under Closed
// trades). A position page's address with its id taken off lands there instead of on a 404.
export default function PositionsPage() {
  redirect('/')
}
