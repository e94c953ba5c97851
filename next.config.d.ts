// Types for next.config.js's named export, which the production web server (scripts/web-server.ts)
// also sends with the answers it gives without Next.
export declare const SECURITY_HEADERS: readonly { key: string; value: string }[]
declare const nextConfig: import('next').NextConfig
export default nextConfig
